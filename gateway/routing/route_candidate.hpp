#pragma once
// The router's compiled form of the routes. Like Kong's traditional_compatible flavor
// (kong/router/compat.lua split_routes_and_services_by_path), a route with several paths is
// split into one candidate per prefix length and one for all its regexes, each ranked on
// its own (get_priority in the same file).
#include <cstdint>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <boost/regex.hpp>

#include "gateway/config/declarative.hpp"
#include "gateway/routing/host_pattern.hpp"

namespace bazaar::gateway::routing {

struct PathPattern {
  std::string text;  // the prefix, or the regex without its "~"
  bool is_regex = false;
  boost::regex regex;
  std::vector<std::string> group_names;
};

struct HeaderRule {
  std::string name;                   // lower-case, '-' for '_'
  std::vector<std::string> values;    // lower-cased plain values
  std::vector<boost::regex> regexes;  // "~*" values, lower-cased as Kong lower-cases them
};

// Kong packs these into one 64-bit priority (most significant first); compared as a tuple.
struct Priority {
  int match_weight = 0;           // how many of methods, hosts, headers, paths are set
  bool plain_hosts_only = false;  // hosts set and none is a wildcard
  int header_count = 0;
  bool regex = false;
  std::int64_t regex_priority = 0;  // counts only for regex candidates
  std::size_t prefix_length = 0;    // counts only for prefix candidates

  auto key() const {
    return std::tuple(match_weight, plain_hosts_only, header_count, regex, regex_priority,
                      prefix_length);
  }
};

struct Candidate {
  std::size_t route = 0;
  std::optional<std::size_t> service;
  Priority priority;
  std::vector<std::string> methods;
  std::vector<HostPattern> hosts;
  std::vector<PathPattern> paths;  // all prefixes of one length, or all regexes
  std::vector<HeaderRule> headers;
  // What building the answer needs from the route and its service.
  std::string service_path = "/";
  bool strip_path = true;
  bool preserve_host = false;
  bool https_only = false;
};

// Ordered as they are to be tried: highest priority first, then the route declared first.
std::vector<Candidate> build_candidates(const config::Declarative& config);

// The names of the named groups of a Kong path regex, in order.
std::vector<std::string> regex_group_names(std::string_view pattern);

}  // namespace bazaar::gateway::routing
