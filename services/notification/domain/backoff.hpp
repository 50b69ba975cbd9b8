#pragma once
// When a failed delivery is tried again: exponential backoff with a cap and jitter, and when
// to give up. Pure: the randomness comes in as an argument.
#include <chrono>

namespace bazaar::notification {

struct Backoff {
  std::chrono::milliseconds initial{1'000};
  std::chrono::milliseconds max{60'000};
  // Up to this fraction is taken off each delay at random, so that notifications that failed
  // together (the SMTP server was down) do not all come back in the same instant.
  double jitter = 0.2;
};

// The wait after the `failures`-th failed attempt (1 for the first): initial · 2^(failures-1),
// at most `max`, less up to `jitter` of it. `random` is uniform in [0, 1).
std::chrono::milliseconds retry_delay(const Backoff& backoff, int failures, double random);

// True when a notification that has now been tried `attempts` times should not be tried again.
bool should_give_up(int attempts, int max_attempts);

}  // namespace bazaar::notification
