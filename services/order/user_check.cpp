#include "services/order/user_check.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace bazaar::order {
namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {
constexpr const char* kDependency = "user-service";

telemetry::Counter& attempts(const char* result) {
  return telemetry::default_registry().counter(
      "dependency_requests_total",
      "HTTP requests sent to a dependency, retries included, by result",
      {{"dependency", kDependency}, {"result", result}});
}

// What one attempt told us.
enum class Attempt { exists, missing, retryable, failed };

Attempt classify(int status) {
  if (status == 200) return Attempt::exists;
  if (status == 404) return Attempt::missing;
  if (status == 502 || status == 503 || status == 504) return Attempt::retryable;
  return Attempt::failed;
}

std::chrono::seconds seconds_until(Clock::time_point t, Clock::time_point now) {
  auto left = std::chrono::ceil<std::chrono::seconds>(t - now);
  return std::max(left, std::chrono::seconds(1));
}
}  // namespace

UserCheck::UserCheck(asio::any_io_executor executor, UserCheckOptions options, std::size_t worker)
    : options_(std::move(options)),
      client_(std::move(executor)),
      breaker_(options_.breaker),
      backoff_(options_.backoff_base, options_.backoff_cap),
      rng_(std::random_device{}()),
      state_gauge_(telemetry::default_registry().gauge(
          "circuit_breaker_state",
          "Circuit breaker state per worker: 0 closed, 1 open, 2 half-open",
          {{"dependency", kDependency}, {"worker", std::to_string(worker)}})),
      rejected_(telemetry::default_registry().counter(
          "circuit_breaker_rejected_total",
          "Calls answered by an open circuit breaker without reaching the dependency",
          {{"dependency", kDependency}})),
      attempts_ok_(attempts("success")),
      attempts_failed_(attempts("failure")) {
  publish_state();
}

void UserCheck::publish_state() {
  state_gauge_.set(static_cast<double>(breaker_.state(Clock::now())));
}

http::Task<UserCheckResult> UserCheck::check(std::string user_id,
                                             const telemetry::TraceContext* trace) {
  if (!breaker_.allow(Clock::now())) {
    rejected_.inc();
    UserCheckResult refused{UserLookup::unavailable,
                            seconds_until(breaker_.retry_at(), Clock::now()),
                            "circuit breaker open"};
    co_return refused;
  }
  publish_state();

  std::string failure;
  for (unsigned attempt = 0;; ++attempt) {
    http::ClientRequest req;
    req.url = options_.base_url + "/users/" + user_id;
    req.headers.emplace_back("Accept", "application/json");
    req.trace = trace;
    Attempt outcome = Attempt::failed;
    try {
      auto r = co_await client_.send(std::move(req), options_.timeout);
      outcome = classify(r.status);
      if (outcome == Attempt::retryable || outcome == Attempt::failed)
        failure = "user-service answered " + std::to_string(r.status);
    } catch (const http::ClientError& e) {
      // A GET has no effect to repeat, so every transport failure is safe to retry; a bad
      // URL is a configuration error that no retry fixes.
      outcome = e.kind == http::ClientError::Kind::bad_url ? Attempt::failed : Attempt::retryable;
      failure = e.what();
    }

    if (outcome == Attempt::exists || outcome == Attempt::missing) {
      attempts_ok_.inc();
      breaker_.on_success();
      publish_state();
      UserCheckResult answer;
      answer.lookup = outcome == Attempt::exists ? UserLookup::exists : UserLookup::missing;
      co_return answer;
    }
    attempts_failed_.inc();
    if (outcome == Attempt::failed || attempt >= options_.retries) break;
    asio::steady_timer pause(co_await asio::this_coro::executor);
    pause.expires_after(backoff_.delay(attempt, rng_));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  // One failed check (whatever its retries) is one failure for the breaker: it counts
  // requests that could not be served, not packets.
  auto now = Clock::now();
  breaker_.on_failure(now);
  publish_state();
  auto retry_after = breaker_.state(now) == resilience::BreakerState::open
                         ? seconds_until(breaker_.retry_at(), now)
                         : std::chrono::seconds(1);
  UserCheckResult down{UserLookup::unavailable, retry_after, std::move(failure)};
  co_return down;
}

}  // namespace bazaar::order
