#pragma once
// The routes every service answers the same way: health probes, /metrics.
#include <string>
#include <vector>

#include "chassis/http/router.hpp"

namespace bazaar::http {

struct ReadinessCheck {
  std::string name;                   // "database"
  std::function<Task<bool>()> probe;  // true when the dependency answers
};

// GET /health/live (the process answers), GET /health/ready and GET /health (every check
// passes; 503 naming the failing ones otherwise), GET /metrics (Prometheus text).
void add_operational_routes(Router& router, std::vector<ReadinessCheck> checks);

}  // namespace bazaar::http
