#pragma once
// The status listener's routes (STATUS_PORT, like Kong's status_listen): kept off the proxy
// port so no client route can shadow them.
//   GET /status        {"server":{...connections...},"configuration_hash":..., "config":{...}}
//   GET /metrics       Prometheus text (the default registry)
//   GET /health/ready  200 once a configuration is loaded
#include <functional>

#include "chassis/http/router.hpp"
#include "gateway/proxy/proxy_server.hpp"
#include "gateway/proxy/snapshot.hpp"

namespace bazaar::gateway::proxy {

struct StatusSources {
  const SnapshotHolder* snapshots = nullptr;
  std::function<ConnectionStats()> connections;
};

void add_status_routes(http::Router& router, StatusSources sources);

}  // namespace bazaar::gateway::proxy
