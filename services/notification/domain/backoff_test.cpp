#include "services/notification/domain/backoff.hpp"

#include <gtest/gtest.h>

using namespace bazaar::notification;
using std::chrono::milliseconds;

TEST(Backoff, DelaysDoubleFromOneSecondUpToTheCap) {
  Backoff b;  // 1 s, 60 s
  EXPECT_EQ(retry_delay(b, 1, 0.0), milliseconds(1'000));
  EXPECT_EQ(retry_delay(b, 2, 0.0), milliseconds(2'000));
  EXPECT_EQ(retry_delay(b, 3, 0.0), milliseconds(4'000));
  EXPECT_EQ(retry_delay(b, 6, 0.0), milliseconds(32'000));
  EXPECT_EQ(retry_delay(b, 7, 0.0), milliseconds(60'000));
  EXPECT_EQ(retry_delay(b, 20, 0.0), milliseconds(60'000));
  EXPECT_EQ(retry_delay(b, 1'000'000, 0.0), milliseconds(60'000));
  EXPECT_EQ(retry_delay(b, 0, 0.0), milliseconds(1'000));
}

TEST(Backoff, JitterOnlyShortensAndStaysWithinItsFraction) {
  Backoff b;
  for (double r : {0.0, 0.25, 0.5, 0.999}) {
    auto d = retry_delay(b, 3, r);
    EXPECT_LE(d, milliseconds(4'000));
    EXPECT_GE(d, milliseconds(3'200));
    auto capped = retry_delay(b, 12, r);
    EXPECT_LE(capped, milliseconds(60'000));
    EXPECT_GE(capped, milliseconds(48'000));
  }
  EXPECT_EQ(retry_delay(b, 3, 0.5), milliseconds(3'600));
}

TEST(Backoff, GivingUpComesAtTheMaximumAttempts) {
  EXPECT_FALSE(should_give_up(1, 20));
  EXPECT_FALSE(should_give_up(19, 20));
  EXPECT_TRUE(should_give_up(20, 20));
  EXPECT_TRUE(should_give_up(1, 1));
}
