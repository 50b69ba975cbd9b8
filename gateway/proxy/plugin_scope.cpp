#include "gateway/proxy/plugin_scope.hpp"

namespace bazaar::gateway::proxy {

int precedence(const Scope& p) {
  const bool r = p.route.has_value(), s = p.service.has_value(), c = p.consumer.has_value();
  if (r && s && c) return 1;
  if (r && c) return 2;
  if (s && c) return 3;
  if (r && s) return 4;
  if (c) return 5;
  if (r) return 6;
  if (s) return 7;
  return 8;
}

bool applies(const Scope& p, const Scope& request) {
  if (p.route && p.route != request.route) return false;
  if (p.service && p.service != request.service) return false;
  if (p.consumer && p.consumer != request.consumer) return false;
  return true;
}

}  // namespace bazaar::gateway::proxy
