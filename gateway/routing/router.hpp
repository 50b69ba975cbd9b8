#pragma once
// Kong 3.x's HTTP router with the default router_flavor = traditional_compatible and
// path_handling = v0: picks the route for a request and computes the upstream path.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/config/declarative.hpp"

namespace bazaar::gateway::routing {

struct RequestView {
  std::string_view method;
  std::string_view host;  // the Host header as received, possibly with ":port"; "" if absent
  std::string_view path;  // as received: percent-encoded, without the query string
  std::string_view protocol = "http";  // the scheme the client used: "http" or "https"
  // Every value of a request header. Called only for routes matching on headers, with the
  // route's header name lower-cased and '_' turned into '-' (nginx's view of names); the
  // callee compares names case-insensitively.
  std::function<std::vector<std::string>(std::string_view name)> header_values;
  // The port the request arrived on, for route hosts written with ":port". Unset: the Host
  // header's port, else 80 for http and 443 for https.
  std::optional<std::uint16_t> port;
};

struct Match {
  std::size_t route = 0;               // index into Declarative::routes
  std::optional<std::size_t> service;  // index into Declarative::services; routes may have none
  // What the route's path matched in the normalized request path: the prefix, or the regex's
  // whole match. Empty when the route matched on other attributes only.
  std::string matched_path;
  // Kong's match_t.prefix (for X-Forwarded-Prefix): the stripped part when strip_path is on.
  std::optional<std::string> stripped_prefix;
  std::vector<std::string> captures;  // regex groups, [0] the whole match; "" for unmatched ones
  std::map<std::string, std::string> named_captures;  // only groups that participated
  std::string upstream_path;  // percent-escaped as Kong sends it; append "?query" unchanged
  // The client's Host header to send upstream when the route preserves it; otherwise the
  // proxy uses the service's (or upstream's) host.
  std::optional<std::string> upstream_host;
  // The route accepts only https and the request came over http: answer with
  // route.https_redirect_status_code instead of proxying (Kong's runloop does this).
  bool https_redirect = false;
};

class Router {
 public:
  // Copies what it needs: `config` may be discarded afterwards. Routes of disabled services
  // are left out, as Kong leaves them out of its router. Expects a config that passed
  // config::parse_declarative; an invalid regex throws boost::regex_error (a runtime_error).
  explicit Router(const config::Declarative& config);

  // nullopt when no route matches (Kong answers 404 "no Route matched with those values").
  std::optional<Match> match(const RequestView& request) const;
  std::optional<Match> match(std::string_view method, std::string_view host, std::string_view path,
                             std::string_view protocol = "http") const;

 private:
  struct Impl;
  std::shared_ptr<const Impl> impl_;  // immutable, so copies of a Router share it
};

}  // namespace bazaar::gateway::routing
