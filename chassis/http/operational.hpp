#pragma once
// The routes every service answers the same way: health probes, /metrics.
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "chassis/http/router.hpp"

namespace bazaar::http {

struct ReadinessCheck {
  std::string name;                   // "database"
  std::function<Task<bool>()> probe;  // true when the dependency answers
};

// GET /health/live (the process answers), GET /health/ready and GET /health (every check
// passes; 503 naming the failing ones otherwise), GET /metrics (Prometheus text).
// Check results are reused for `cache_for` (HEALTH_CACHE_TTL in services): probes and load
// balancers polling /health must not turn into database load.
void add_operational_routes(Router& router, std::vector<ReadinessCheck> checks,
                            std::chrono::milliseconds cache_for = std::chrono::seconds(1));

// GET /openapi.yaml: the service's contract, compiled into its binary.
void add_openapi_route(Router& router, std::string_view yaml);

}  // namespace bazaar::http
