#include "gateway/plugins/rate_limiting/decision.hpp"

#include <gtest/gtest.h>

#include <map>

namespace bazaar::gateway::rate_limiting {
namespace {

using namespace std::chrono;

// 12:00:13, so a minute resets in 47 s and an hour in 3587 s.
const Seconds kNow = sys_days{year{2024} / 5 / 17} + hours{12} + seconds{13};

std::map<std::string, std::string> headers_of(const Decision& decision) {
  std::map<std::string, std::string> headers;
  for (const ClientHeader& header : decision.headers)
    headers[std::string(header.name)] = header.value;
  return headers;
}

TEST(DecisionTest, WithinTheLimitPassesWithHeaders) {
  const Usage usage{Period::minute, 10, 1};
  const Decision decision = decide(Config{}, {&usage, 1}, kNow);
  EXPECT_TRUE(decision.allowed);
  const std::vector<Header> expected = {{"X-RateLimit-Limit-Minute", "10"},
                                        {"X-RateLimit-Remaining-Minute", "9"},
                                        {"RateLimit-Limit", "10"},
                                        {"RateLimit-Remaining", "9"},
                                        {"RateLimit-Reset", "47"}};
  ASSERT_EQ(decision.headers.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(decision.headers[i].name, expected[i].name);
    EXPECT_EQ(decision.headers[i].value, expected[i].value);
  }
  EXPECT_EQ(decision.status, 0);
  EXPECT_TRUE(decision.body.empty());
}

TEST(DecisionTest, RemainingCountsDownToZeroAndTheLimitthRequestStillPasses) {
  for (std::int64_t n = 1; n <= 3; ++n) {
    const Usage usage{Period::minute, 3, n};
    const Decision decision = decide(Config{}, {&usage, 1}, kNow);
    EXPECT_TRUE(decision.allowed) << n;
    EXPECT_EQ(headers_of(decision)["X-RateLimit-Remaining-Minute"], std::to_string(3 - n));
    EXPECT_EQ(headers_of(decision)["RateLimit-Remaining"], std::to_string(3 - n));
  }
}

TEST(DecisionTest, OneOverTheLimitIsRefusedWithRetryAfter) {
  const Usage usage{Period::minute, 3, 4};
  const Decision decision = decide(Config{}, {&usage, 1}, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 429);
  EXPECT_EQ(decision.body, R"({"message":"API rate limit exceeded"})");
  auto headers = headers_of(decision);
  EXPECT_EQ(headers["X-RateLimit-Limit-Minute"], "3");
  EXPECT_EQ(headers["X-RateLimit-Remaining-Minute"], "0");
  EXPECT_EQ(headers["RateLimit-Remaining"], "0");
  EXPECT_EQ(headers["RateLimit-Reset"], "47");
  EXPECT_EQ(headers["Retry-After"], "47");
}

TEST(DecisionTest, PassingRequestsHaveNoRetryAfter) {
  const Usage usage{Period::minute, 3, 3};
  EXPECT_FALSE(headers_of(decide(Config{}, {&usage, 1}, kNow)).contains("Retry-After"));
}

TEST(DecisionTest, CustomErrorCodeAndMessage) {
  Config config;
  config.error_code = 503;
  config.error_message = "slow \"down\"";
  const Usage usage{Period::second, 1, 2};
  const Decision decision = decide(config, {&usage, 1}, kNow);
  EXPECT_EQ(decision.status, 503);
  EXPECT_EQ(decision.body, R"({"message":"slow \"down\""})");
}

TEST(DecisionTest, EveryConfiguredPeriodGetsItsOwnHeaders) {
  const std::vector<Usage> usages = {{Period::second, 5, 1},    {Period::minute, 10, 1},
                                     {Period::hour, 100, 1},    {Period::day, 1000, 1},
                                     {Period::month, 10000, 1}, {Period::year, 100000, 1}};
  auto headers = headers_of(decide(Config{}, usages, kNow));
  for (const char* title : {"Second", "Minute", "Hour", "Day", "Month", "Year"}) {
    EXPECT_TRUE(headers.contains(std::string("X-RateLimit-Limit-") + title)) << title;
    EXPECT_TRUE(headers.contains(std::string("X-RateLimit-Remaining-") + title)) << title;
  }
  EXPECT_EQ(headers["X-RateLimit-Remaining-Year"], "99999");
}

TEST(DecisionTest, RateLimitHeadersDescribeThePeriodWithFewestLeft) {
  const std::vector<Usage> usages = {{Period::second, 5, 1}, {Period::minute, 10, 8}};
  auto headers = headers_of(decide(Config{}, usages, kNow));
  EXPECT_EQ(headers["RateLimit-Limit"], "10");
  EXPECT_EQ(headers["RateLimit-Remaining"], "2");
  EXPECT_EQ(headers["RateLimit-Reset"], "47");
}

TEST(DecisionTest, OnATieTheLongerWindowWins) {
  const std::vector<Usage> usages = {{Period::second, 2, 1}, {Period::hour, 100, 99}};
  auto headers = headers_of(decide(Config{}, usages, kNow));
  EXPECT_EQ(headers["RateLimit-Limit"], "100");
  EXPECT_EQ(headers["RateLimit-Remaining"], "1");
  EXPECT_EQ(headers["RateLimit-Reset"], "3587");
}

TEST(DecisionTest, RefusedRequestDoesNotSpendThePeriodsItDidNotExceed) {
  // The minute is exhausted; the refused request is not counted against the hour.
  const std::vector<Usage> usages = {{Period::minute, 2, 3}, {Period::hour, 10, 3}};
  const Decision decision = decide(Config{}, usages, kNow);
  EXPECT_FALSE(decision.allowed);
  auto headers = headers_of(decision);
  EXPECT_EQ(headers["X-RateLimit-Remaining-Minute"], "0");
  EXPECT_EQ(headers["X-RateLimit-Remaining-Hour"], "8");
  EXPECT_EQ(headers["RateLimit-Limit"], "2");
  EXPECT_EQ(headers["Retry-After"], "47");
}

TEST(DecisionTest, WhenSeveralPeriodsAreExhaustedRetryAfterIsTheLongest) {
  const std::vector<Usage> usages = {{Period::minute, 2, 3}, {Period::hour, 2, 3}};
  auto headers = headers_of(decide(Config{}, usages, kNow));
  EXPECT_EQ(headers["RateLimit-Limit"], "2");
  EXPECT_EQ(headers["Retry-After"], "3587");
}

TEST(DecisionTest, HideClientHeadersHidesEverythingButStillRefuses) {
  Config config;
  config.hide_client_headers = true;
  const Usage within{Period::minute, 3, 1};
  EXPECT_TRUE(decide(config, {&within, 1}, kNow).headers.empty());
  const Usage over{Period::minute, 3, 4};
  const Decision decision = decide(config, {&over, 1}, kNow);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 429);
  EXPECT_TRUE(decision.headers.empty());  // not even Retry-After, as in Kong
}

TEST(DecisionTest, StoreFailureFaultTolerantPassesWithoutHeaders) {
  const Decision decision = store_failed(Config{});
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.headers.empty());
}

TEST(DecisionTest, StoreFailureNotFaultTolerantIs500) {
  Config config;
  config.fault_tolerant = false;
  const Decision decision = store_failed(config);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 500);
  EXPECT_EQ(decision.body, R"({"message":"An unexpected error occurred"})");
  EXPECT_TRUE(decision.headers.empty());
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
