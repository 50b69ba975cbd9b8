#include "chassis/http/operational.hpp"

#include <boost/json/object.hpp>
#include <memory>
#include <mutex>
#include <optional>

#include "chassis/telemetry/metrics.hpp"

namespace bazaar::http {
namespace {
Task<Response> live(Request) {
  co_return Response::json(200, boost::json::object{{"status", "ok"}});
}

struct Readiness {
  std::vector<ReadinessCheck> checks;
  std::chrono::milliseconds cache_for;
  std::mutex mutex;  // the cache is shared by all workers
  std::chrono::steady_clock::time_point checked_at;
  std::optional<Response> answer;
};

Task<Response> ready(std::shared_ptr<Readiness> r, Request) {
  auto now = std::chrono::steady_clock::now();
  {
    std::lock_guard lock(r->mutex);
    if (r->answer && now - r->checked_at < r->cache_for) co_return *r->answer;
  }
  boost::json::object results;
  bool all_ok = true;
  for (const auto& c : r->checks) {
    bool ok = false;
    try {
      ok = co_await c.probe();
    } catch (const std::exception&) {
      ok = false;
    }
    results[c.name] = ok ? "ok" : "down";
    all_ok = all_ok && ok;
  }
  Response answer =
      all_ok ? Response::json(200, boost::json::object{{"status", "ok"}, {"checks", results}})
             : problem(503, "a dependency is not reachable", {{"checks", results}});
  std::lock_guard lock(r->mutex);
  r->answer = answer;
  r->checked_at = std::chrono::steady_clock::now();
  co_return answer;
}

Task<Response> contract(std::string_view yaml, Request) {
  co_return Response::text(200, std::string(yaml), "application/yaml");
}

Task<Response> metrics(Request) {
  co_return Response::text(200, telemetry::default_registry().render(),
                           std::string(telemetry::kContentType));
}
}  // namespace

void add_operational_routes(Router& router, std::vector<ReadinessCheck> checks,
                            std::chrono::milliseconds cache_for) {
  auto state = std::make_shared<Readiness>();
  state->checks = std::move(checks);
  state->cache_for = cache_for;
  Handler ready_handler = [state](Request r) { return ready(state, std::move(r)); };
  router.add("GET", "/health/live", live);
  router.add("GET", "/health/ready", ready_handler);
  router.add("GET", "/health", ready_handler);
  router.add("GET", "/metrics", metrics);
}

void add_openapi_route(Router& router, std::string_view yaml) {
  router.add("GET", "/openapi.yaml", [yaml](Request r) { return contract(yaml, std::move(r)); });
}

}  // namespace bazaar::http
