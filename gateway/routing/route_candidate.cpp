#include "gateway/routing/route_candidate.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "gateway/config/route_regex.hpp"

namespace bazaar::gateway::routing {
namespace {

// Kong caps the header count it ranks by (MAX_HEADER_COUNT in kong/router/compat.lua).
constexpr int kMaxHeaderCount = 255;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::vector<HeaderRule> compile_headers(const config::Route& route) {
  std::vector<HeaderRule> rules;
  for (const auto& [name, values] : route.headers) {
    HeaderRule rule;
    rule.name = lower(name);
    std::replace(rule.name.begin(), rule.name.end(), '_', '-');
    for (const auto& value : values) {
      if (value.starts_with("~*")) {
        rule.regexes.push_back(config::compile_header_regex(lower(value.substr(2))));
      } else {
        rule.values.push_back(lower(value));
      }
    }
    rules.push_back(std::move(rule));
  }
  return rules;
}

PathPattern compile_path(const std::string& path) {
  PathPattern pattern;
  pattern.is_regex = path.starts_with('~');
  pattern.text = pattern.is_regex ? path.substr(1) : path;
  if (pattern.is_regex) {
    pattern.regex = config::compile_path_regex(pattern.text);
    pattern.group_names = regex_group_names(pattern.text);
  }
  return pattern;
}

// One group for the regexes, one per prefix length, in the order the paths first appear.
std::vector<std::vector<std::string>> group_paths(const std::vector<std::string>& paths) {
  std::vector<std::vector<std::string>> groups;
  std::map<std::string, std::size_t> group_of;  // "~" or the length
  for (const auto& path : paths) {
    std::string key = path.starts_with('~') ? "~" : std::to_string(path.size());
    auto [it, added] = group_of.emplace(key, groups.size());
    if (added) groups.emplace_back();
    groups[it->second].push_back(path);
  }
  return groups;
}

Candidate base_candidate(const config::Declarative& config, std::size_t index) {
  const config::Route& route = config.routes[index];
  Candidate c;
  c.route = index;
  c.service = route.service;
  c.methods = route.methods;
  for (const auto& host : route.hosts) c.hosts.emplace_back(host);
  c.headers = compile_headers(route);
  if (route.service && config.services[*route.service].path) {
    c.service_path = *config.services[*route.service].path;
  }
  c.strip_path = route.strip_path;
  c.preserve_host = route.preserve_host;
  auto has = [&](std::string_view p) {
    return std::find(route.protocols.begin(), route.protocols.end(), p) != route.protocols.end();
  };
  c.https_only = has("https") && !has("http");

  Priority& p = c.priority;
  p.match_weight = !route.methods.empty() + !route.hosts.empty() + !route.headers.empty();
  p.plain_hosts_only =
      !route.hosts.empty() && std::none_of(c.hosts.begin(), c.hosts.end(),
                                           [](const HostPattern& h) { return h.is_wildcard(); });
  p.header_count = std::min(static_cast<int>(route.headers.size()), kMaxHeaderCount);
  return c;
}

}  // namespace

std::vector<std::string> regex_group_names(std::string_view pattern) {
  std::vector<std::string> names;
  bool in_class = false;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (!in_class && c == '(') {
      auto rest = pattern.substr(i + 1);
      std::size_t skip = rest.starts_with("?P<") ? 3 : rest.starts_with("?<") ? 2 : 0;
      if (skip == 0 || rest.substr(skip).starts_with('=') || rest.substr(skip).starts_with('!')) {
        continue;
      }
      auto close = rest.find('>', skip);
      if (close != std::string_view::npos) {
        names.emplace_back(rest.substr(skip, close - skip));
      }
    }
  }
  return names;
}

std::vector<Candidate> build_candidates(const config::Declarative& config) {
  std::vector<Candidate> candidates;
  for (std::size_t index = 0; index < config.routes.size(); ++index) {
    const config::Route& route = config.routes[index];
    if (route.service && !config.services[*route.service].enabled) continue;
    if (route.paths.empty()) {
      candidates.push_back(base_candidate(config, index));
      continue;
    }
    for (const auto& group : group_paths(route.paths)) {
      Candidate c = base_candidate(config, index);
      for (const auto& path : group) c.paths.push_back(compile_path(path));
      Priority& p = c.priority;
      p.match_weight += 1;
      p.regex = c.paths.front().is_regex;
      if (p.regex) {
        p.regex_priority = route.regex_priority;
      } else {
        p.prefix_length = group.front().size();
      }
      candidates.push_back(std::move(c));
    }
  }
  // Equal priorities: Kong's ATC router falls back to comparing route UUIDs, an arbitrary
  // order for a declarative file; the route declared first wins here, as in Kong's older
  // traditional router (created_at).
  std::stable_sort(
      candidates.begin(), candidates.end(),
      [](const Candidate& a, const Candidate& b) { return a.priority.key() > b.priority.key(); });
  return candidates;
}

}  // namespace bazaar::gateway::routing
