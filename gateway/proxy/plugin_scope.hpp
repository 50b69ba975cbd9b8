#pragma once
// Which instance of a plugin applies when it is configured at several scopes. Kong runs at
// most one instance of each plugin per request, the most specific one
// (kong/runloop/plugins_iterator.lua, "Precedence" in Kong's plugin docs):
//   1 route+service+consumer  2 route+consumer  3 service+consumer  4 route+service
//   5 consumer  6 route  7 service  8 global
#include <cstddef>
#include <optional>

namespace bazaar::gateway::proxy {

struct Scope {
  std::optional<std::size_t> route;
  std::optional<std::size_t> service;
  std::optional<std::size_t> consumer;
};

// 1 (most specific) .. 8 (global), as listed above.
int precedence(const Scope& plugin);

// Whether an instance attached at `plugin` applies to a request with `request`'s route,
// service and (authenticated) consumer: every entity the plugin names must match.
bool applies(const Scope& plugin, const Scope& request);

}  // namespace bazaar::gateway::proxy
