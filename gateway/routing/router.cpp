#include "gateway/routing/router.hpp"

#include <algorithm>
#include <cctype>

#include "gateway/routing/route_candidate.hpp"
#include "gateway/routing/upstream_path.hpp"
#include "gateway/uri/normalize_path.hpp"
#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::routing {

struct Router::Impl {
  std::vector<Candidate> candidates;
};

namespace {

struct PathHit {
  std::string matched;
  std::vector<std::string> captures;
  std::map<std::string, std::string> named;
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool methods_match(const Candidate& c, std::string_view method) {
  return c.methods.empty() ||
         std::find(c.methods.begin(), c.methods.end(), method) != c.methods.end();
}

bool hosts_match(const Candidate& c, std::string_view host, std::uint16_t port) {
  if (c.hosts.empty()) return true;
  if (host.empty()) return false;
  return std::any_of(c.hosts.begin(), c.hosts.end(),
                     [&](const HostPattern& h) { return h.matches(host, port); });
}

bool headers_match(const Candidate& c, const RequestView& request) {
  for (const auto& rule : c.headers) {
    if (!request.header_values) return false;
    bool any = false;
    for (const auto& value : request.header_values(rule.name)) {
      std::string v = lower(value);
      any = std::find(rule.values.begin(), rule.values.end(), v) != rule.values.end() ||
            std::any_of(rule.regexes.begin(), rule.regexes.end(),
                        [&](const boost::regex& r) { return boost::regex_search(v, r); });
      if (any) break;
    }
    if (!any) return false;
  }
  return true;
}

// The first of the candidate's paths that matches, in the order they were written.
std::optional<PathHit> match_path(const Candidate& c, const std::string& path) {
  for (const auto& pattern : c.paths) {
    if (!pattern.is_regex) {
      if (path.starts_with(pattern.text)) return PathHit{pattern.text, {}, {}};
      continue;
    }
    boost::smatch m;
    if (!boost::regex_search(path, m, pattern.regex)) continue;
    PathHit hit{m[0].str(), {}, {}};
    if (m.size() > 1) {  // Kong reports captures only when the regex has groups
      for (std::size_t i = 0; i < m.size(); ++i) hit.captures.push_back(m[i].str());
    }
    for (const auto& name : pattern.group_names) {
      if (m[name].matched) hit.named[name] = m[name].str();
    }
    return hit;
  }
  return std::nullopt;
}

std::uint16_t request_port(const RequestView& request, std::optional<std::uint16_t> host_port) {
  if (request.port) return *request.port;
  if (host_port) return *host_port;
  return request.protocol == "https" ? 443 : 80;
}

}  // namespace

Router::Router(const config::Declarative& config)
    : impl_(std::make_shared<Impl>(Impl{build_candidates(config)})) {}

std::optional<Match> Router::match(const RequestView& request) const {
  // Kong matches, and builds the upstream path from, the normalized path
  // (strip_uri_args in kong/router/utils.lua).
  const std::string path = uri::normalize_path(request.path);
  auto [host, host_port] = split_host_port(request.host);
  const std::uint16_t port = request_port(request, host_port);

  for (const Candidate& c : impl_->candidates) {
    if (!methods_match(c, request.method) || !hosts_match(c, host, port) ||
        !headers_match(c, request)) {
      continue;
    }
    std::optional<PathHit> hit;
    if (!c.paths.empty()) {
      hit = match_path(c, path);
      if (!hit) continue;
    }

    Match m;
    m.route = c.route;
    m.service = c.service;
    if (hit) {
      m.matched_path = hit->matched;
      m.captures = std::move(hit->captures);
      m.named_captures = std::move(hit->named);
      if (c.strip_path) m.stripped_prefix = m.matched_path;
    }
    // traditional_compatible always joins paths the v0 way: Kong deprecates v1 and ignores
    // it under this flavor (kong/db/schema/entities/routes.lua, kong/router/atc.lua).
    PathJoin join;
    join.service_path = c.service_path;
    if (hit) join.matched_path = m.matched_path;
    join.request_path = path;
    join.strip_path = c.strip_path;
    m.upstream_path = uri::escape_path(join_upstream_path(join));
    if (c.preserve_host) m.upstream_host = std::string(request.host);
    m.https_redirect = c.https_only && request.protocol != "https";
    return m;
  }
  return std::nullopt;
}

std::optional<Match> Router::match(std::string_view method, std::string_view host,
                                   std::string_view path, std::string_view protocol) const {
  RequestView request;
  request.method = method;
  request.host = host;
  request.path = path;
  request.protocol = protocol;
  return match(request);
}

}  // namespace bazaar::gateway::routing
