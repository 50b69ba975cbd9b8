#include "chassis/resilience/backoff.hpp"

#include <algorithm>

namespace bazaar::resilience {

Backoff::Backoff(std::chrono::milliseconds base, std::chrono::milliseconds cap)
    : base_(std::max(base, std::chrono::milliseconds(0))), cap_(std::max(cap, base_)) {}

std::chrono::milliseconds Backoff::ceiling(unsigned attempt) const {
  auto limit = cap_.count();
  auto d = base_.count();
  // Doubling stops at the cap, so large attempt numbers never overflow.
  for (unsigned i = 0; i < attempt && d < limit; ++i) d = d > limit / 2 ? limit : d * 2;
  return std::chrono::milliseconds(std::min(d, limit));
}

std::chrono::milliseconds Backoff::delay(unsigned attempt, std::mt19937_64& rng) const {
  std::uniform_int_distribution<long long> pick(0, ceiling(attempt).count());
  return std::chrono::milliseconds(pick(rng));
}

}  // namespace bazaar::resilience
