#pragma once
// The `url` shorthand of Kong services (kong/db/schema/entities/services.lua), which expands
// into protocol, host, port and path.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::gateway::config {

struct ServiceUrl {
  std::string protocol;
  std::optional<std::string> host;
  std::optional<std::string> port;  // as written; Kong validates it as an integer afterwards
  std::optional<std::string> path;
};

// Follows LuaSocket's url.parse as Kong uses it: the scheme, else "https" for port 443 and
// "http" otherwise; the port, else 443 for https and 80 otherwise; no path when none is given.
std::optional<ServiceUrl> parse_service_url(std::string_view url);

}  // namespace bazaar::gateway::config
