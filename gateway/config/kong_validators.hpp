#pragma once
// Kong's field validators (kong/db/schema/typedefs.lua), each returning why a value is
// rejected or nullopt when it is accepted.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::gateway::config {

bool is_uuid(std::string_view s);

// typedefs.utf8_name: names of services, routes and upstream-like entities.
std::optional<std::string> utf8_name_error(std::string_view name);
// typedefs.tag
std::optional<std::string> tag_error(std::string_view tag);
// utils.validate_header_name
std::optional<std::string> header_name_error(std::string_view name);

struct HostPort {
  std::string host;  // IPv6 without brackets
  std::optional<std::uint16_t> port;
  bool is_ip = false;
};
// utils.normalize_ip: a hostname, IPv4 or [IPv6], each with an optional ":port".
std::optional<HostPort> parse_host_port(std::string_view text);

// typedefs.host: service hosts, no port.
std::optional<std::string> host_error(std::string_view host);
// typedefs.hosts elements of routes: one wildcard as leftmost or rightmost label, optional port.
std::optional<std::string> route_host_error(std::string_view host);
// typedefs.path: service paths.
std::optional<std::string> service_path_error(std::string_view path);
// typedefs.router_path: "/prefix" (must be normalized) or "~/regex".
std::optional<std::string> router_path_error(std::string_view path);

}  // namespace bazaar::gateway::config
