#pragma once
// Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
// Jitter"): the delay before retry `attempt` (0 for the first retry) is uniform in
// [0, min(cap, base * 2^attempt)]. Jitter spreads the retries of many callers that failed
// together, so they do not return in lockstep and knock the recovering peer over again.
#include <chrono>
#include <random>

namespace bazaar::resilience {

class Backoff {
 public:
  Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap);

  // The upper bound of the delay before retry `attempt`: base * 2^attempt, at most cap.
  std::chrono::milliseconds ceiling(unsigned attempt) const;
  // A random delay in [0, ceiling(attempt)].
  std::chrono::milliseconds delay(unsigned attempt, std::mt19937_64& rng) const;

 private:
  std::chrono::milliseconds base_;
  std::chrono::milliseconds cap_;
};

}  // namespace bazaar::resilience
