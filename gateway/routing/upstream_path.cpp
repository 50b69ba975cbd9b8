#include "gateway/routing/upstream_path.hpp"

#include <algorithm>

namespace bazaar::gateway::routing {
namespace {

// kong/router/utils.lua sanitize_uri_postfix: a stripped remainder never climbs out.
std::string_view sanitize_postfix(std::string_view postfix) {
  if (postfix == "." || postfix == "..") return {};
  if (postfix.starts_with("./")) return postfix.substr(2);
  if (postfix.starts_with("../")) return postfix.substr(3);
  return postfix;
}

std::string join_v0(std::string_view base, std::string_view postfix, std::string_view request,
                    bool strip_path) {
  std::string b(base);
  if (base.ends_with('/')) {
    if (!strip_path) return b + std::string(request.substr(1));
    if (postfix.empty()) {
      if (base == "/") return "/";
      if (request.ends_with('/')) return b;
      return b.substr(0, b.size() - 1);
    }
    // A double slash at the seam is collapsed.
    if (postfix.starts_with('/')) return b.substr(0, b.size() - 1) + std::string(postfix);
    return b + std::string(postfix);
  }
  if (!strip_path) return request == "/" ? b : b + std::string(request);
  if (postfix.empty()) return request.size() > 1 && request.ends_with('/') ? b + "/" : b;
  if (postfix.starts_with('/')) return b + std::string(postfix);
  return b + "/" + std::string(postfix);
}

std::string join_v1(std::string_view base, std::string_view postfix, std::string_view request,
                    bool strip_path) {
  std::string b(base);
  if (!strip_path) return b + std::string(request.substr(1));
  if (base.ends_with('/') && postfix.starts_with('/')) {
    return b.substr(0, b.size() - 1) + std::string(postfix);
  }
  return b + std::string(postfix);
}

}  // namespace

std::string join_upstream_path(const PathJoin& join) {
  std::string_view request = join.request_path.empty() ? "/" : join.request_path;
  std::string_view postfix;
  if (join.matched_path && (join.strip_path || join.path_handling == config::PathHandling::v1)) {
    postfix = request.substr(std::min(join.matched_path->size(), request.size()));
  } else {
    postfix = request.substr(1);
  }
  postfix = sanitize_postfix(postfix);
  std::string_view base = join.service_path.empty() ? "/" : join.service_path;
  return join.path_handling == config::PathHandling::v1
             ? join_v1(base, postfix, request, join.strip_path)
             : join_v0(base, postfix, request, join.strip_path);
}

}  // namespace bazaar::gateway::routing
