#include "gateway/plugins/rate_limiting/period.hpp"

#include <algorithm>

namespace bazaar::gateway::rate_limiting {

namespace {

using std::chrono::days;
using std::chrono::floor;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::sys_days;
using std::chrono::year_month_day;

constexpr std::array<std::string_view, 6> kNames = {"second", "minute", "hour",
                                                    "day",    "month",  "year"};
// Whole header names, so that a request's headers name them without building strings.
constexpr std::array<std::string_view, 6> kLimitHeaders = {
    "X-RateLimit-Limit-Second", "X-RateLimit-Limit-Minute", "X-RateLimit-Limit-Hour",
    "X-RateLimit-Limit-Day",    "X-RateLimit-Limit-Month",  "X-RateLimit-Limit-Year"};
constexpr std::array<std::string_view, 6> kRemainingHeaders = {
    "X-RateLimit-Remaining-Second", "X-RateLimit-Remaining-Minute", "X-RateLimit-Remaining-Hour",
    "X-RateLimit-Remaining-Day",    "X-RateLimit-Remaining-Month",  "X-RateLimit-Remaining-Year"};
constexpr std::array<std::int64_t, 6> kNominal = {1, 60, 3600, 86400, 2592000, 31536000};

std::size_t index(Period period) { return static_cast<std::size_t>(period); }

}  // namespace

std::string_view period_name(Period period) { return kNames[index(period)]; }
std::string_view limit_header(Period period) { return kLimitHeaders[index(period)]; }

std::string_view remaining_header(Period period) { return kRemainingHeaders[index(period)]; }

std::optional<Period> parse_period(std::string_view name) {
  for (Period period : kPeriods) {
    if (period_name(period) == name) return period;
  }
  return std::nullopt;
}

std::int64_t nominal_seconds(Period period) { return kNominal[index(period)]; }

// The calendar date (a few dozen instructions) is worked out only for the periods that need it.
Seconds window_start(Period period, Seconds now) {
  switch (period) {
    case Period::second:
      return now;
    case Period::minute:
      return floor<minutes>(now);
    case Period::hour:
      return floor<hours>(now);
    case Period::day:
      return floor<days>(now);
    case Period::month: {
      const year_month_day date{floor<days>(now)};
      return sys_days{date.year() / date.month() / 1};
    }
    case Period::year: {
      const year_month_day date{floor<days>(now)};
      return sys_days{date.year() / std::chrono::January / 1};
    }
  }
  return now;
}

Seconds window_end(Period period, Seconds now) {
  switch (period) {
    case Period::second:
      return now + std::chrono::seconds{1};
    case Period::minute:
      return floor<minutes>(now) + minutes{1};
    case Period::hour:
      return floor<hours>(now) + hours{1};
    case Period::day:
      return floor<days>(now) + days{1};
    case Period::month: {
      const year_month_day date{floor<days>(now)};
      return sys_days{(date.year() / date.month() / 1) + std::chrono::months{1}};
    }
    case Period::year: {
      const year_month_day date{floor<days>(now)};
      return sys_days{(date.year() + std::chrono::years{1}) / std::chrono::January / 1};
    }
  }
  return now;
}

std::int64_t seconds_until_reset(Period period, Seconds now) {
  const std::int64_t elapsed = (now - window_start(period, now)).count();
  return std::max<std::int64_t>(1, nominal_seconds(period) - elapsed);
}

}  // namespace bazaar::gateway::rate_limiting
