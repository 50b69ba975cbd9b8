#pragma once
// Kong's join of the service path, the route's path match and the request path into the path
// sent upstream (kong/router/utils.lua get_upstream_uri_v0, and the v1 branch of
// kong/router/traditional.lua). The query string is the caller's: append it unchanged.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/config/declarative.hpp"

namespace bazaar::gateway::routing {

struct PathJoin {
  std::string_view service_path = "/";  // the service's path; "/" when it has none
  // What one of the route's paths matched (a prefix, or a regex's whole match);
  // nullopt when the route matched on other attributes only.
  std::optional<std::string_view> matched_path;
  std::string_view request_path;  // normalized (uri::normalize_path), no query
  bool strip_path = true;
  config::PathHandling path_handling = config::PathHandling::v0;
};

// The upstream path before percent-escaping (see uri::escape_path).
std::string join_upstream_path(const PathJoin& join);

}  // namespace bazaar::gateway::routing
