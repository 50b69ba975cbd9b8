#include "chassis/resilience/circuit_breaker.hpp"

#include <gtest/gtest.h>

using namespace bazaar::resilience;
using namespace std::chrono_literals;

namespace {
const CircuitBreaker::TimePoint t0{std::chrono::hours(1)};

CircuitBreaker breaker(int failures = 3, std::chrono::milliseconds cooldown = 500ms) {
  return CircuitBreaker({failures, cooldown});
}

void fail(CircuitBreaker& b, int times, CircuitBreaker::TimePoint now = t0) {
  for (int i = 0; i < times; ++i) {
    ASSERT_TRUE(b.allow(now));
    b.on_failure(now);
  }
}
}  // namespace

TEST(CircuitBreaker, StartsClosedAndLetsCallsThrough) {
  auto b = breaker();
  EXPECT_EQ(b.state(t0), BreakerState::closed);
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(b.allow(t0));
}

TEST(CircuitBreaker, OpensAfterTheThresholdOfConsecutiveFailures) {
  auto b = breaker(3);
  fail(b, 2);
  EXPECT_EQ(b.state(t0), BreakerState::closed);
  fail(b, 1);
  EXPECT_EQ(b.state(t0), BreakerState::open);
  EXPECT_FALSE(b.allow(t0));
  EXPECT_FALSE(b.allow(t0 + 499ms));
}

TEST(CircuitBreaker, ASuccessResetsTheCountOfConsecutiveFailures) {
  auto b = breaker(3);
  fail(b, 2);
  ASSERT_TRUE(b.allow(t0));
  b.on_success();
  fail(b, 2);
  EXPECT_EQ(b.state(t0), BreakerState::closed);
  fail(b, 1);
  EXPECT_EQ(b.state(t0), BreakerState::open);
}

TEST(CircuitBreaker, TheDefaultsAreFiveFailuresAndFiveSeconds) {
  CircuitBreaker b;
  fail(b, 4);
  EXPECT_EQ(b.state(t0), BreakerState::closed);
  fail(b, 1);
  EXPECT_EQ(b.state(t0), BreakerState::open);
  EXPECT_EQ(b.state(t0 + 4999ms), BreakerState::open);
  EXPECT_EQ(b.state(t0 + 5s), BreakerState::half_open);
}

TEST(CircuitBreaker, AfterTheCooldownExactlyOneTrialGoesThrough) {
  auto b = breaker(3, 500ms);
  fail(b, 3);
  EXPECT_EQ(b.state(t0 + 500ms), BreakerState::half_open);
  EXPECT_TRUE(b.allow(t0 + 500ms));
  EXPECT_EQ(b.state(t0 + 500ms), BreakerState::half_open);
  EXPECT_FALSE(b.allow(t0 + 501ms));
  EXPECT_FALSE(b.allow(t0 + 600ms));
}

TEST(CircuitBreaker, ASuccessfulTrialClosesIt) {
  auto b = breaker(3, 500ms);
  fail(b, 3);
  ASSERT_TRUE(b.allow(t0 + 1s));
  b.on_success();
  EXPECT_EQ(b.state(t0 + 1s), BreakerState::closed);
  EXPECT_TRUE(b.allow(t0 + 1s));
  EXPECT_TRUE(b.allow(t0 + 1s));
  // Closed again with a fresh count: it takes the whole threshold to open.
  fail(b, 2, t0 + 1s);
  EXPECT_EQ(b.state(t0 + 1s), BreakerState::closed);
}

TEST(CircuitBreaker, AFailedTrialOpensItForAnotherCooldown) {
  auto b = breaker(3, 500ms);
  fail(b, 3);
  auto trial = t0 + 700ms;
  ASSERT_TRUE(b.allow(trial));
  b.on_failure(trial);
  EXPECT_EQ(b.state(trial), BreakerState::open);
  EXPECT_FALSE(b.allow(trial + 499ms));
  EXPECT_EQ(b.state(trial + 500ms), BreakerState::half_open);
  EXPECT_TRUE(b.allow(trial + 500ms));
}

TEST(CircuitBreaker, LateOutcomesOfCallsMadeBeforeOpeningChangeNothing) {
  auto b = breaker(2, 500ms);
  ASSERT_TRUE(b.allow(t0));  // a slow call still in flight
  fail(b, 2);
  ASSERT_EQ(b.state(t0), BreakerState::open);
  b.on_success();  // the slow call came back fine after all
  EXPECT_EQ(b.state(t0), BreakerState::open);
  b.on_failure(t0 + 400ms);  // another late one must not extend the cool-down
  EXPECT_EQ(b.state(t0 + 500ms), BreakerState::half_open);
}

TEST(CircuitBreaker, ATrialThatNeverReportsIsReplacedAfterAnotherCooldown) {
  auto b = breaker(1, 500ms);
  fail(b, 1);
  ASSERT_TRUE(b.allow(t0 + 500ms));  // this trial's caller vanished
  EXPECT_FALSE(b.allow(t0 + 999ms));
  EXPECT_TRUE(b.allow(t0 + 1000ms));
  b.on_success();
  EXPECT_EQ(b.state(t0 + 1000ms), BreakerState::closed);
}

TEST(CircuitBreaker, RetryAtIsTheEndOfTheCooldown) {
  auto b = breaker(1, 500ms);
  fail(b, 1, t0 + 2s);
  EXPECT_EQ(b.retry_at(), t0 + 2500ms);
}

TEST(CircuitBreaker, StatesHaveNames) {
  EXPECT_STREQ(to_string(BreakerState::closed), "closed");
  EXPECT_STREQ(to_string(BreakerState::open), "open");
  EXPECT_STREQ(to_string(BreakerState::half_open), "half-open");
  EXPECT_EQ(static_cast<int>(BreakerState::closed), 0);
  EXPECT_EQ(static_cast<int>(BreakerState::open), 1);
  EXPECT_EQ(static_cast<int>(BreakerState::half_open), 2);
}
