#pragma once
// A circuit breaker for calls to one dependency: after `failure_threshold` consecutive
// failures it opens and refuses calls at once (no waiting on a peer that is down); after
// `cooldown` it lets a single trial call through (half-open), which closes it on success or
// opens it again on failure. Time is a parameter, so tests need no sleeping. Not thread-safe
// by design: one breaker per worker, like the pools.
#include <chrono>

namespace bazaar::resilience {

enum class BreakerState { closed = 0, open = 1, half_open = 2 };
const char* to_string(BreakerState state);

struct BreakerOptions {
  int failure_threshold = 5;
  std::chrono::milliseconds cooldown{5'000};
};

class CircuitBreaker {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;

  explicit CircuitBreaker(BreakerOptions options = {});

  // May a call go out now? In half-open, true once for the trial call; every caller that
  // gets true must report the outcome with on_success() or on_failure().
  bool allow(TimePoint now);
  void on_success();
  void on_failure(TimePoint now);

  // Open turns into half-open by the passing of time alone, hence `now`.
  BreakerState state(TimePoint now) const;
  // When an open breaker will let a trial through (meaningful while open).
  TimePoint retry_at() const { return opened_at_ + options_.cooldown; }

 private:
  void open(TimePoint now);

  BreakerOptions options_;
  BreakerState state_ = BreakerState::closed;
  int failures_ = 0;
  TimePoint opened_at_{};
  bool trial_in_flight_ = false;
  TimePoint trial_started_{};
};

}  // namespace bazaar::resilience
