#include "gateway/plugins/rate_limiting/period.hpp"

#include <gtest/gtest.h>

#include "gateway/plugins/rate_limiting/counter_key.hpp"

namespace bazaar::gateway::rate_limiting {
namespace {

using namespace std::chrono;

Seconds at(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0) {
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

TEST(PeriodTest, NamesAndHeadersAreKongs) {
  EXPECT_EQ(period_name(Period::minute), "minute");
  EXPECT_EQ(limit_header(Period::minute), "X-RateLimit-Limit-Minute");
  EXPECT_EQ(remaining_header(Period::year), "X-RateLimit-Remaining-Year");
  EXPECT_EQ(parse_period("hour"), Period::hour);
  EXPECT_EQ(parse_period("Hour"), std::nullopt);
}

TEST(PeriodTest, NominalLengthsAreKongsExpirations) {
  EXPECT_EQ(nominal_seconds(Period::second), 1);
  EXPECT_EQ(nominal_seconds(Period::minute), 60);
  EXPECT_EQ(nominal_seconds(Period::hour), 3600);
  EXPECT_EQ(nominal_seconds(Period::day), 86400);
  EXPECT_EQ(nominal_seconds(Period::month), 2592000);
  EXPECT_EQ(nominal_seconds(Period::year), 31536000);
}

TEST(PeriodTest, SecondWindowIsTheSecondItself) {
  const Seconds now = at(2024, 5, 17, 10, 20, 30);
  EXPECT_EQ(window_start(Period::second, now), now);
  EXPECT_EQ(window_end(Period::second, now), now + seconds{1});
  EXPECT_EQ(seconds_until_reset(Period::second, now), 1);
}

TEST(PeriodTest, MinuteHourDayAlignToUtcBoundaries) {
  const Seconds now = at(2024, 5, 17, 10, 20, 30);
  EXPECT_EQ(window_start(Period::minute, now), at(2024, 5, 17, 10, 20, 0));
  EXPECT_EQ(window_end(Period::minute, now), at(2024, 5, 17, 10, 21, 0));
  EXPECT_EQ(window_start(Period::hour, now), at(2024, 5, 17, 10, 0, 0));
  EXPECT_EQ(window_end(Period::hour, now), at(2024, 5, 17, 11, 0, 0));
  EXPECT_EQ(window_start(Period::day, now), at(2024, 5, 17));
  EXPECT_EQ(window_end(Period::day, now), at(2024, 5, 18));
}

TEST(PeriodTest, LastSecondBelongsToTheOldWindowFirstSecondToTheNew) {
  EXPECT_EQ(window_start(Period::minute, at(2024, 5, 17, 10, 20, 59)), at(2024, 5, 17, 10, 20));
  EXPECT_EQ(window_start(Period::minute, at(2024, 5, 17, 10, 21, 0)), at(2024, 5, 17, 10, 21));
  EXPECT_EQ(window_start(Period::hour, at(2024, 5, 17, 10, 59, 59)), at(2024, 5, 17, 10));
  EXPECT_EQ(window_start(Period::hour, at(2024, 5, 17, 11, 0, 0)), at(2024, 5, 17, 11));
  EXPECT_EQ(window_start(Period::day, at(2024, 5, 17, 23, 59, 59)), at(2024, 5, 17));
  EXPECT_EQ(window_start(Period::day, at(2024, 5, 18)), at(2024, 5, 18));
}

TEST(PeriodTest, MonthIsCalendarAligned) {
  EXPECT_EQ(window_start(Period::month, at(2024, 5, 17, 10, 20, 30)), at(2024, 5, 1));
  EXPECT_EQ(window_end(Period::month, at(2024, 5, 17)), at(2024, 6, 1));
  EXPECT_EQ(window_start(Period::month, at(2024, 5, 31, 23, 59, 59)), at(2024, 5, 1));
  EXPECT_EQ(window_start(Period::month, at(2024, 6, 1)), at(2024, 6, 1));
  EXPECT_EQ(window_end(Period::month, at(2024, 12, 31, 23, 59, 59)), at(2025, 1, 1));
}

TEST(PeriodTest, FebruaryOfLeapAndCommonYears) {
  EXPECT_EQ(window_start(Period::month, at(2024, 2, 29, 12)), at(2024, 2, 1));
  EXPECT_EQ(window_end(Period::month, at(2024, 2, 29, 12)), at(2024, 3, 1));
  EXPECT_EQ(window_end(Period::month, at(2023, 2, 28, 12)), at(2023, 3, 1));
  EXPECT_EQ(window_start(Period::month, at(2023, 3, 1)), at(2023, 3, 1));
  EXPECT_EQ(window_end(Period::month, at(2000, 2, 10)), at(2000, 3, 1));  // 400-year rule
  EXPECT_EQ(window_end(Period::month, at(2100, 2, 10)), at(2100, 3, 1));  // 100-year rule
}

TEST(PeriodTest, YearIsCalendarAligned) {
  EXPECT_EQ(window_start(Period::year, at(2024, 12, 31, 23, 59, 59)), at(2024, 1, 1));
  EXPECT_EQ(window_end(Period::year, at(2024, 12, 31, 23, 59, 59)), at(2025, 1, 1));
  EXPECT_EQ(window_start(Period::year, at(2025, 1, 1)), at(2025, 1, 1));
  EXPECT_EQ(window_start(Period::year, at(2024, 2, 29)), at(2024, 1, 1));
}

TEST(PeriodTest, ResetIsNominalLengthMinusElapsed) {
  EXPECT_EQ(seconds_until_reset(Period::minute, at(2024, 5, 17, 10, 20, 0)), 60);
  EXPECT_EQ(seconds_until_reset(Period::minute, at(2024, 5, 17, 10, 20, 13)), 47);
  EXPECT_EQ(seconds_until_reset(Period::minute, at(2024, 5, 17, 10, 20, 59)), 1);
  EXPECT_EQ(seconds_until_reset(Period::hour, at(2024, 5, 17, 10, 59, 0)), 60);
  EXPECT_EQ(seconds_until_reset(Period::day, at(2024, 5, 17, 23, 0, 0)), 3600);
  EXPECT_EQ(seconds_until_reset(Period::month, at(2024, 5, 29)), 2 * 86400);
}

TEST(PeriodTest, ResetUsesKongsThirtyDayMonthAndNeverDropsBelowOne) {
  // Kong counts a month as 30 days: on the 31st the window "should" be over already.
  EXPECT_EQ(seconds_until_reset(Period::month, at(2024, 5, 31, 12)), 1);
  // In February it says 30 days from the 1st, past the real end of the month.
  EXPECT_EQ(seconds_until_reset(Period::month, at(2023, 2, 28)), 3 * 86400);
  // A leap year's last day is day 366: past Kong's 365-day year.
  EXPECT_EQ(seconds_until_reset(Period::year, at(2024, 12, 31, 12)), 1);
  EXPECT_EQ(seconds_until_reset(Period::year, at(2023, 12, 31)), 86400);
}

TEST(CounterKeyTest, MatchesKongsGetLocalKey) {
  const Seconds now = at(2023, 11, 14, 22, 13, 20);  // 1700000000
  EXPECT_EQ(counter_key(PluginScope{}, "1.2.3.4", Period::second, now),
            "ratelimit:00000000-0000-0000-0000-000000000000:"
            "00000000-0000-0000-0000-000000000000:1.2.3.4:1700000000000:second");
  EXPECT_EQ(counter_key(PluginScope{"route-1", "svc-1"}, "consumer-9", Period::minute, now),
            "ratelimit:route-1:svc-1:consumer-9:1699999980000:minute");
  EXPECT_EQ(counter_key(PluginScope{"", "svc-1"}, "x", Period::year, now),
            "ratelimit:00000000-0000-0000-0000-000000000000:svc-1:x:1672531200000:year");
}

TEST(CounterKeyTest, SubjectPlusWindowEqualsFullKey) {
  const Seconds now = at(2024, 2, 29, 1, 2, 3);
  const PluginScope scope{"r", "s"};
  for (Period period : kPeriods) {
    EXPECT_EQ(counter_key(counter_subject(scope, "id"), period, now),
              counter_key(scope, "id", period, now));
  }
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
