#include "services/notification/domain/backoff.hpp"

#include <algorithm>

namespace bazaar::notification {

std::chrono::milliseconds retry_delay(const Backoff& b, int failures, double random) {
  // 2^30 times any sensible initial delay is beyond every cap: stop doubling there.
  int doublings = std::clamp(failures - 1, 0, 30);
  double full = static_cast<double>(b.initial.count()) * static_cast<double>(1LL << doublings);
  full = std::min(full, static_cast<double>(b.max.count()));
  double cut = std::clamp(b.jitter, 0.0, 1.0) * std::clamp(random, 0.0, 1.0);
  return std::chrono::milliseconds(static_cast<long long>(full * (1.0 - cut)));
}

bool should_give_up(int attempts, int max_attempts) { return attempts >= max_attempts; }

}  // namespace bazaar::notification
