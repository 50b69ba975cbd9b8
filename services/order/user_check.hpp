#pragma once
// Does a user exist? Asked synchronously of user-service (GET {USER_SERVICE_URL}/users/{id})
// with a deadline per attempt, retries of idempotent failures with jittered backoff, and a
// circuit breaker, so that a user-service that is down costs a quick 503, never a hang.
// One per worker (the HTTP client and the breaker are not thread-safe).
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <random>
#include <string>

#include "chassis/http/client.hpp"
#include "chassis/resilience/backoff.hpp"
#include "chassis/resilience/circuit_breaker.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::order {

struct UserCheckOptions {
  std::string base_url;                      // USER_SERVICE_URL, without a trailing slash
  std::chrono::milliseconds timeout{1'000};  // USER_CHECK_TIMEOUT, per attempt
  unsigned retries = 2;                      // after the first attempt
  resilience::BreakerOptions breaker;        // BREAKER_FAILURES, BREAKER_COOLDOWN
  std::chrono::milliseconds backoff_base{25};
  std::chrono::milliseconds backoff_cap{250};
};

enum class UserLookup { exists, missing, unavailable };

struct UserCheckResult {
  UserLookup lookup = UserLookup::unavailable;
  std::chrono::seconds retry_after{1};  // for unavailable: when asking again makes sense
  std::string detail;                   // for unavailable: what went wrong, for logs
};

class UserCheck {
 public:
  UserCheck(boost::asio::any_io_executor executor, UserCheckOptions options, std::size_t worker);

  // `trace` is the incoming request's context: user-service's span becomes its child.
  http::Task<UserCheckResult> check(std::string user_id, const telemetry::TraceContext* trace);

 private:
  void publish_state();

  UserCheckOptions options_;
  http::Client client_;
  resilience::CircuitBreaker breaker_;
  resilience::Backoff backoff_;
  std::mt19937_64 rng_;
  telemetry::Gauge& state_gauge_;
  telemetry::Counter& rejected_;
  telemetry::Counter& attempts_ok_;
  telemetry::Counter& attempts_failed_;
};

}  // namespace bazaar::order
