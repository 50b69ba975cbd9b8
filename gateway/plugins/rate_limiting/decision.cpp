#include "gateway/plugins/rate_limiting/decision.hpp"

#include <algorithm>
#include <optional>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

namespace bazaar::gateway::rate_limiting {

namespace {

// kong.response.error's JSON body.
std::string message_body(std::string_view message) {
  return boost::json::serialize(boost::json::value{{"message", message}});
}

struct Shown {
  std::int64_t limit;
  std::int64_t remaining;
  Period period;
};

}  // namespace

Decision decide(const Config& config, std::span<const Usage> usages, Seconds now) {
  // Kong reads the count before this request (current - 1) and refuses once it reached the
  // limit; refused requests were not counted.
  const bool refused = std::any_of(usages.begin(), usages.end(),
                                   [](const Usage& usage) { return usage.current > usage.limit; });

  Decision decision;
  decision.allowed = !refused;
  std::optional<Shown> tightest;
  if (!config.hide_client_headers) {
    decision.headers.reserve(2 * usages.size() + 4);  // the per-period pairs, RateLimit-*
    for (const Usage& usage : usages) {
      // Passing: this request is spent in every period. Refused: only in the exceeded ones,
      // which show 0 either way; the others still have what they had.
      const std::int64_t before = usage.current - 1;
      const bool spent = !refused || usage.current > usage.limit;
      const std::int64_t remaining =
          std::max<std::int64_t>(0, usage.limit - before - (spent ? 1 : 0));
      decision.headers.push_back({limit_header(usage.period), std::to_string(usage.limit)});
      decision.headers.push_back({remaining_header(usage.period), std::to_string(remaining)});
      // RateLimit-* describe the period with the fewest requests left; on a tie, the longer
      // window, since it takes longer to recover.
      if (!tightest || remaining < tightest->remaining ||
          (remaining == tightest->remaining &&
           nominal_seconds(usage.period) > nominal_seconds(tightest->period))) {
        tightest = Shown{usage.limit, remaining, usage.period};
      }
    }
  }
  if (tightest) {
    const std::string reset = std::to_string(seconds_until_reset(tightest->period, now));
    decision.headers.push_back({"RateLimit-Limit", std::to_string(tightest->limit)});
    decision.headers.push_back({"RateLimit-Remaining", std::to_string(tightest->remaining)});
    decision.headers.push_back({"RateLimit-Reset", reset});
    // Kong computes Retry-After only with the headers, so hide_client_headers drops it too.
    if (refused) decision.headers.push_back({"Retry-After", reset});
  }
  if (refused) {
    decision.status = config.error_code;
    decision.body = message_body(config.error_message);
  }
  return decision;
}

Decision store_failed(const Config& config) {
  Decision decision;
  if (config.fault_tolerant) return decision;
  decision.allowed = false;
  decision.status = 500;
  decision.body = message_body("An unexpected error occurred");
  return decision;
}

}  // namespace bazaar::gateway::rate_limiting
