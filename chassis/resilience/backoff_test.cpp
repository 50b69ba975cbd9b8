#include "chassis/resilience/backoff.hpp"

#include <gtest/gtest.h>

#include <limits>
#include <set>

using namespace bazaar::resilience;
using namespace std::chrono_literals;

TEST(Backoff, TheCeilingDoublesFromTheBaseUpToTheCap) {
  Backoff b(25ms, 250ms);
  EXPECT_EQ(b.ceiling(0), 25ms);
  EXPECT_EQ(b.ceiling(1), 50ms);
  EXPECT_EQ(b.ceiling(2), 100ms);
  EXPECT_EQ(b.ceiling(3), 200ms);
  EXPECT_EQ(b.ceiling(4), 250ms);
  EXPECT_EQ(b.ceiling(5), 250ms);
}

TEST(Backoff, HugeAttemptNumbersStayAtTheCap) {
  Backoff b(1ms, std::chrono::milliseconds(std::numeric_limits<long long>::max()));
  EXPECT_EQ(b.ceiling(1000), std::chrono::milliseconds(std::numeric_limits<long long>::max()));
  Backoff small(100ms, 1s);
  EXPECT_EQ(small.ceiling(4'000'000'000u), 1s);
}

TEST(Backoff, DelaysAreFullyJitteredBetweenZeroAndTheCeiling) {
  Backoff b(100ms, 1s);
  std::mt19937_64 rng(42);
  for (unsigned attempt = 0; attempt < 8; ++attempt) {
    std::set<long long> seen;
    for (int i = 0; i < 500; ++i) {
      auto d = b.delay(attempt, rng);
      EXPECT_GE(d, 0ms);
      EXPECT_LE(d, b.ceiling(attempt));
      seen.insert(d.count());
    }
    // Full jitter: the delays spread over the range rather than sitting at its top.
    EXPECT_GT(seen.size(), 20u) << attempt;
    EXPECT_LT(*seen.begin(), b.ceiling(attempt).count() / 4) << attempt;
  }
}

TEST(Backoff, TheSameSeedGivesTheSameDelays) {
  Backoff b(10ms, 1s);
  std::mt19937_64 a(7), c(7);
  for (unsigned i = 0; i < 10; ++i) EXPECT_EQ(b.delay(i, a), b.delay(i, c));
}

TEST(Backoff, ACapBelowTheBaseMeansTheBase) {
  Backoff b(100ms, 10ms);
  EXPECT_EQ(b.ceiling(0), 100ms);
  EXPECT_EQ(b.ceiling(3), 100ms);
}
