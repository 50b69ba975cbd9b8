#include "chassis/http/operational.hpp"

#include <boost/json/object.hpp>
#include <memory>

#include "chassis/telemetry/metrics.hpp"

namespace bazaar::http {
namespace {
Task<Response> live(Request) {
  co_return Response::json(200, boost::json::object{{"status", "ok"}});
}

Task<Response> ready(std::shared_ptr<const std::vector<ReadinessCheck>> checks, Request) {
  boost::json::object results;
  bool all_ok = true;
  for (const auto& c : *checks) {
    bool ok = false;
    try {
      ok = co_await c.probe();
    } catch (const std::exception&) {
      ok = false;
    }
    results[c.name] = ok ? "ok" : "down";
    all_ok = all_ok && ok;
  }
  boost::json::object body{{"status", all_ok ? "ok" : "unavailable"}, {"checks", results}};
  if (all_ok) co_return Response::json(200, body);
  co_return problem(503, "a dependency is not reachable", body);
}

Task<Response> metrics(Request) {
  co_return Response::text(200, telemetry::default_registry().render(),
                           std::string(telemetry::kContentType));
}
}  // namespace

void add_operational_routes(Router& router, std::vector<ReadinessCheck> checks) {
  auto shared = std::make_shared<const std::vector<ReadinessCheck>>(std::move(checks));
  Handler ready_handler = [shared](Request r) { return ready(shared, std::move(r)); };
  router.add("GET", "/health/live", live);
  router.add("GET", "/health/ready", ready_handler);
  router.add("GET", "/health", ready_handler);
  router.add("GET", "/metrics", metrics);
}

}  // namespace bazaar::http
