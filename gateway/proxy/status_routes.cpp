#include "gateway/proxy/status_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <ctime>

#include "chassis/telemetry/metrics.hpp"

namespace bazaar::gateway::proxy {

namespace {

std::string iso8601(std::chrono::system_clock::time_point at) {
  const std::time_t t = std::chrono::system_clock::to_time_t(at);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

http::Task<http::Response> status(StatusSources* sources, http::Request) {
  const auto snapshot = sources->snapshots->current();
  const ConnectionStats stats = sources->connections();
  boost::json::object server{{"connections_active", stats.active},
                             {"connections_accepted", stats.accepted},
                             {"total_requests", stats.requests}};
  boost::json::object config{{"hash", snapshot->hash},
                             {"loaded_at", iso8601(snapshot->loaded_at)},
                             {"services", snapshot->config.services.size()},
                             {"routes", snapshot->config.routes.size()},
                             {"consumers", snapshot->config.consumers.size()},
                             {"plugins", snapshot->plugins.size()}};
  boost::json::object body{{"server", std::move(server)},
                           {"configuration_hash", snapshot->hash},
                           {"config", std::move(config)}};
  co_return http::Response::json(200, body);
}

http::Task<http::Response> metrics(StatusSources*, http::Request) {
  co_return http::Response::text(200, telemetry::default_registry().render(),
                                 std::string(telemetry::kContentType));
}

http::Task<http::Response> ready(StatusSources* sources, http::Request) {
  if (!sources->snapshots->current()) co_return http::Response::empty(503);
  co_return http::Response::text(200, "ready\n");
}

}  // namespace

void add_status_routes(http::Router& router, StatusSources sources) {
  // The handlers share the sources; plain lambdas that call the coroutines (never lambda
  // coroutines, which would lose their captures).
  auto kept = std::make_shared<StatusSources>(std::move(sources));
  router.add("GET", "/status",
             [kept](http::Request r) { return status(kept.get(), std::move(r)); });
  router.add("GET", "/metrics",
             [kept](http::Request r) { return metrics(kept.get(), std::move(r)); });
  router.add("GET", "/health/ready",
             [kept](http::Request r) { return ready(kept.get(), std::move(r)); });
}

}  // namespace bazaar::gateway::proxy
