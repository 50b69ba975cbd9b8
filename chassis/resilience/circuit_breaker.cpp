#include "chassis/resilience/circuit_breaker.hpp"

namespace bazaar::resilience {

const char* to_string(BreakerState s) {
  switch (s) {
    case BreakerState::closed:
      return "closed";
    case BreakerState::open:
      return "open";
    case BreakerState::half_open:
      return "half-open";
  }
  return "unknown";
}

CircuitBreaker::CircuitBreaker(BreakerOptions options) : options_(options) {
  if (options_.failure_threshold < 1) options_.failure_threshold = 1;
}

bool CircuitBreaker::allow(TimePoint now) {
  switch (state_) {
    case BreakerState::closed:
      return true;
    case BreakerState::open:
      if (now < retry_at()) return false;
      state_ = BreakerState::half_open;
      trial_in_flight_ = true;
      trial_started_ = now;
      return true;
    case BreakerState::half_open:
      // A trial whose outcome never came back (its caller was cancelled) must not keep the
      // breaker half-open for ever: after another cool-down the next caller is the trial.
      if (trial_in_flight_ && now - trial_started_ < options_.cooldown) return false;
      trial_in_flight_ = true;
      trial_started_ = now;
      return true;
  }
  return false;
}

void CircuitBreaker::on_success() {
  // A late success of a call let through before the breaker opened proves little about the
  // dependency now; only the trial (or any call while closed) counts.
  if (state_ == BreakerState::open) return;
  state_ = BreakerState::closed;
  failures_ = 0;
  trial_in_flight_ = false;
}

void CircuitBreaker::on_failure(TimePoint now) {
  switch (state_) {
    case BreakerState::closed:
      if (++failures_ >= options_.failure_threshold) open(now);
      return;
    case BreakerState::half_open:
      open(now);
      return;
    case BreakerState::open:
      return;  // late failures of calls made before opening do not extend the cool-down
  }
}

BreakerState CircuitBreaker::state(TimePoint now) const {
  if (state_ == BreakerState::open && now >= retry_at()) return BreakerState::half_open;
  return state_;
}

void CircuitBreaker::open(TimePoint now) {
  state_ = BreakerState::open;
  opened_at_ = now;
  failures_ = 0;
  trial_in_flight_ = false;
}

}  // namespace bazaar::resilience
