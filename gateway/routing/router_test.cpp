// The routing table of Kong 3.x (traditional_compatible): which route wins, what it captures,
// and what goes upstream.
#include "gateway/routing/router.hpp"

#include <gtest/gtest.h>

#include "gateway/config/load.hpp"

namespace bazaar::gateway::routing {
namespace {

config::Declarative load(std::string_view body) {
  return config::parse_declarative(
      "_format_version: \"3.0\"\n" + std::string(body),
      [](std::string_view, const boost::json::object&) { return std::optional<std::string>(); });
}

// The name of the route `router` picks, or "(none)".
std::string route_for(const config::Declarative& config, const Router& router,
                      const RequestView& request) {
  auto match = router.match(request);
  return match ? config.routes[match->route].name.value_or("?") : "(none)";
}

std::string route_for(const config::Declarative& config, std::string_view method,
                      std::string_view host, std::string_view path) {
  RequestView request;
  request.method = method;
  request.host = host;
  request.path = path;
  return route_for(config, Router(config), request);
}

constexpr std::string_view kGuide = R"yaml(
services:
  - name: user-service
    url: http://user-service:8080
    routes:
      - name: users-route
        paths: [/api/v1/users]
    plugins:
      - name: jwt
  - name: order-service
    url: http://order-service:8080
    routes:
      - name: orders-route
        paths: [/api/v1/orders]
)yaml";

TEST(Router, TheGuideFileRoutesAndStrips) {
  auto config = load(kGuide);
  Router router(config);
  auto users = router.match("GET", "localhost:8000", "/api/v1/users/42");
  ASSERT_TRUE(users);
  EXPECT_EQ(users->route, 0u);
  EXPECT_EQ(users->service, 0u);
  EXPECT_EQ(users->matched_path, "/api/v1/users");
  EXPECT_EQ(users->stripped_prefix, "/api/v1/users");
  EXPECT_EQ(users->upstream_path, "/42");  // strip_path defaults to true
  EXPECT_FALSE(users->upstream_host);      // preserve_host defaults to false
  EXPECT_FALSE(users->https_redirect);
  EXPECT_TRUE(users->captures.empty());

  auto exact = router.match("POST", "", "/api/v1/users");
  ASSERT_TRUE(exact);
  EXPECT_EQ(exact->upstream_path, "/");
  auto orders = router.match("DELETE", "gw", "/api/v1/orders/7/items");
  ASSERT_TRUE(orders);
  EXPECT_EQ(orders->service, 1u);
  EXPECT_EQ(orders->upstream_path, "/7/items");

  EXPECT_FALSE(router.match("GET", "", "/api/v1/products"));
  EXPECT_FALSE(router.match("GET", "", "/api/v1"));
  // A prefix is a prefix of the path string, not of its segments, as in Kong.
  auto glued = router.match("GET", "", "/api/v1/usersx");
  ASSERT_TRUE(glued);
  EXPECT_EQ(glued->upstream_path, "/x");
}

TEST(Router, SlashMatchesEverything) {
  auto config = load("routes:\n  - {name: root, paths: [/]}\n");
  EXPECT_EQ(route_for(config, "GET", "", "/"), "root");
  EXPECT_EQ(route_for(config, "GET", "", "/anything/at/all"), "root");
}

TEST(Router, LongestPrefixWins) {
  auto config = load(R"yaml(
routes:
  - {name: short, paths: [/api]}
  - {name: long, paths: [/api/v1/users]}
  - {name: middle, paths: [/api/v1]}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/api/v1/users/1"), "long");
  EXPECT_EQ(route_for(config, "GET", "", "/api/v1/orders"), "middle");
  EXPECT_EQ(route_for(config, "GET", "", "/api/v2"), "short");
}

TEST(Router, RegexPathsAreTriedBeforePrefixes) {
  auto config = load(R"yaml(
routes:
  - {name: prefix, paths: [/users/me/profile]}
  - {name: regex, paths: ['~/users/\w+']}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/users/me/profile"), "regex");
  EXPECT_EQ(route_for(config, "GET", "", "/users/"), "(none)");
}

TEST(Router, RegexPriorityOrdersRegexes) {
  auto config = load(R"yaml(
routes:
  - {name: low, paths: ['~/items/\d+'], regex_priority: 1}
  - {name: high, paths: ['~/items/'], regex_priority: 10}
  - {name: negative, paths: ['~/items/4'], regex_priority: -1}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/items/42"), "high");
  auto without_high = load(R"yaml(
routes:
  - {name: low, paths: ['~/items/\d+'], regex_priority: 1}
  - {name: negative, paths: ['~/items/4'], regex_priority: -1}
)yaml");
  EXPECT_EQ(route_for(without_high, "GET", "", "/items/42"), "low");
}

TEST(Router, RegexesAreAnchoredAtTheStart) {
  auto config = load("routes:\n  - {name: r, paths: ['~/v\\d/status$']}\n");
  EXPECT_EQ(route_for(config, "GET", "", "/v2/status"), "r");
  EXPECT_EQ(route_for(config, "GET", "", "/api/v2/status"), "(none)");
  EXPECT_EQ(route_for(config, "GET", "", "/v2/status/more"), "(none)");
}

TEST(Router, NamedAndPositionalCaptures) {
  auto config = load(R"yaml(
services:
  - {name: s, host: users.internal, path: /internal}
routes:
  - name: r
    service: s
    paths: ['~/users/(?<user_id>\d+)/orders/(\d+)(?<suffix>/x)?']
)yaml");
  Router router(config);
  auto match = router.match("GET", "", "/users/42/orders/7/rest");
  ASSERT_TRUE(match);
  EXPECT_EQ(match->named_captures.at("user_id"), "42");
  EXPECT_FALSE(match->named_captures.contains("suffix"));  // did not participate
  ASSERT_EQ(match->captures.size(), 4u);
  EXPECT_EQ(match->captures[0], "/users/42/orders/7");
  EXPECT_EQ(match->captures[1], "42");
  EXPECT_EQ(match->captures[2], "7");
  EXPECT_EQ(match->captures[3], "");
  EXPECT_EQ(match->matched_path, "/users/42/orders/7");
  EXPECT_EQ(match->upstream_path, "/internal/rest");

  auto python_style = load("routes:\n  - {name: r, paths: ['~/p/(?P<id>[a-z]+)']}\n");
  auto m = Router(python_style).match("GET", "", "/p/abc");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->named_captures.at("id"), "abc");
}

TEST(Router, MethodFilter) {
  auto config = load(R"yaml(
routes:
  - {name: reads, paths: [/things], methods: [GET, HEAD]}
  - {name: any, paths: [/things]}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/things"), "reads");  // more attributes win
  EXPECT_EQ(route_for(config, "HEAD", "", "/things"), "reads");
  EXPECT_EQ(route_for(config, "POST", "", "/things"), "any");
  EXPECT_EQ(route_for(config, "get", "", "/things"), "any");  // methods are case-sensitive
}

TEST(Router, HostFilterExactAndWildcards) {
  auto config = load(R"yaml(
routes:
  - {name: exact, hosts: [api.example.com]}
  - {name: suffix, hosts: ['*.example.com']}
  - {name: prefix, hosts: ['example.*']}
  - {name: with-port, hosts: ['ports.test:8443']}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "api.example.com", "/"), "exact");
  EXPECT_EQ(route_for(config, "GET", "API.Example.COM:8000", "/"), "exact");
  EXPECT_EQ(route_for(config, "GET", "www.example.com", "/"), "suffix");
  EXPECT_EQ(route_for(config, "GET", "a.b.example.com", "/"), "suffix");
  EXPECT_EQ(route_for(config, "GET", "example.com", "/"), "prefix");  // not "*.example.com"
  EXPECT_EQ(route_for(config, "GET", "notexample.com", "/"), "(none)");
  EXPECT_EQ(route_for(config, "GET", "example.org", "/"), "prefix");
  EXPECT_EQ(route_for(config, "GET", "", "/"), "(none)");
  EXPECT_EQ(route_for(config, "GET", "ports.test:8443", "/"), "with-port");
  EXPECT_EQ(route_for(config, "GET", "ports.test", "/"), "(none)");

  Router router(config);
  RequestView request;
  request.method = "GET";
  request.host = "ports.test";
  request.path = "/";
  request.protocol = "https";
  request.port = 8443;  // the listening port counts when the Host header has none
  EXPECT_EQ(route_for(config, router, request), "with-port");
}

TEST(Router, PlainHostsBeatWildcards) {
  auto config = load(R"yaml(
routes:
  - {name: wildcard, hosts: ['*.example.com'], paths: [/]}
  - {name: plain, hosts: [api.example.com], paths: [/]}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "api.example.com", "/x"), "plain");
  EXPECT_EQ(route_for(config, "GET", "web.example.com", "/x"), "wildcard");
}

TEST(Router, MoreAttributesBeatLongerPrefixes) {
  auto config = load(R"yaml(
routes:
  - {name: long-path, paths: [/api/v1/users/details]}
  - {name: host-and-path, hosts: [api.test], paths: [/api]}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "api.test", "/api/v1/users/details"), "host-and-path");
  EXPECT_EQ(route_for(config, "GET", "other.test", "/api/v1/users/details"), "long-path");
}

TEST(Router, CreationOrderBreaksTies) {
  auto config = load(R"yaml(
routes:
  - {name: first, paths: [/same]}
  - {name: second, paths: [/same]}
  - {name: regex-first, paths: ['~/r/a']}
  - {name: regex-second, paths: ['~/r/\w']}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/same/x"), "first");
  EXPECT_EQ(route_for(config, "GET", "", "/r/a"), "regex-first");
}

TEST(Router, RoutesWithSeveralPathsAreRankedPerPathLength) {
  auto config = load(R"yaml(
routes:
  - {name: multi, paths: [/a, /abc/def]}
  - {name: single, paths: [/abc]}
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/abc/def/x"), "multi");
  EXPECT_EQ(route_for(config, "GET", "", "/abc/x"), "single");
  EXPECT_EQ(route_for(config, "GET", "", "/ab"), "multi");
}

TEST(Router, HeaderFilters) {
  auto config = load(R"yaml(
routes:
  - {name: v2, paths: [/api], headers: {X-Version: ['2', '~*^beta-\d+$']}}
  - {name: default, paths: [/api]}
)yaml");
  Router router(config);
  auto with_header = [&](std::vector<std::string> values) {
    RequestView request;
    request.method = "GET";
    request.path = "/api/x";
    request.header_values = [values](std::string_view name) {
      return name == "x-version" ? values : std::vector<std::string>{};
    };
    return route_for(config, router, request);
  };
  EXPECT_EQ(with_header({"2"}), "v2");
  EXPECT_EQ(with_header({"1", "2"}), "v2");
  EXPECT_EQ(with_header({"BETA-7"}), "v2");
  EXPECT_EQ(with_header({"beta-x"}), "default");
  EXPECT_EQ(with_header({}), "default");
  EXPECT_EQ(route_for(config, "GET", "", "/api/x"), "default");  // no header callback
}

TEST(Router, PreserveHost) {
  auto config = load(R"yaml(
services:
  - {name: s, url: 'http://backend:9000'}
routes:
  - {name: keep, service: s, paths: [/keep], preserve_host: true}
  - {name: replace, service: s, paths: [/replace]}
)yaml");
  Router router(config);
  EXPECT_EQ(router.match("GET", "shop.example.com:8000", "/keep")->upstream_host,
            "shop.example.com:8000");
  EXPECT_FALSE(router.match("GET", "shop.example.com", "/replace")->upstream_host);
}

TEST(Router, StripPathOff) {
  auto config = load(R"yaml(
services:
  - {name: s, url: 'http://backend:9000/base'}
routes:
  - {name: r, service: s, paths: [/api], strip_path: false}
)yaml");
  auto match = Router(config).match("GET", "", "/api/items");
  ASSERT_TRUE(match);
  EXPECT_FALSE(match->stripped_prefix);
  EXPECT_EQ(match->matched_path, "/api");
  EXPECT_EQ(match->upstream_path, "/base/api/items");
}

TEST(Router, MatchesTheNormalizedPathAndEscapesUpstream) {
  auto config = load(R"yaml(
routes:
  - {name: users, paths: [/users]}
)yaml");
  Router router(config);
  // Unreserved characters are decoded, dot segments removed, slashes merged (Kong 3.x).
  EXPECT_TRUE(router.match("GET", "", "/%75sers/1"));
  EXPECT_TRUE(router.match("GET", "", "/x/../users//1"));
  auto reserved = router.match("GET", "", "/users/a%2fb");
  ASSERT_TRUE(reserved);
  EXPECT_EQ(reserved->upstream_path, "/a%2Fb");  // reserved stays encoded
  auto spaced = router.match("GET", "", "/users/a%20b");
  ASSERT_TRUE(spaced);
  EXPECT_EQ(spaced->upstream_path, "/a%20b");  // decoded to match, escaped again to send
  EXPECT_FALSE(router.match("GET", "", "/%2Fusers"));
}

TEST(Router, HttpsOnlyRoutesAskForARedirect) {
  auto config = load(R"yaml(
routes:
  - {name: secure, paths: [/pay], protocols: [https], https_redirect_status_code: 308}
  - {name: both, paths: [/any]}
)yaml");
  Router router(config);
  auto plain = router.match("GET", "", "/pay", "http");
  ASSERT_TRUE(plain);
  EXPECT_TRUE(plain->https_redirect);
  EXPECT_EQ(config.routes[plain->route].https_redirect_status_code, 308);
  EXPECT_FALSE(router.match("GET", "", "/pay", "https")->https_redirect);
  EXPECT_FALSE(router.match("GET", "", "/any", "http")->https_redirect);
}

TEST(Router, DisabledServicesAreNotRoutable) {
  auto config = load(R"yaml(
services:
  - name: off
    host: a.test
    enabled: false
    routes: [{name: hidden, paths: [/x/y]}]
  - name: on
    host: b.test
    routes: [{name: visible, paths: [/x]}]
)yaml");
  EXPECT_EQ(route_for(config, "GET", "", "/x/y"), "visible");
}

TEST(Router, RoutesWithoutServiceStillMatch) {
  auto config = load("routes:\n  - {name: lonely, paths: [/l]}\n");
  auto match = Router(config).match("GET", "", "/l/x");
  ASSERT_TRUE(match);
  EXPECT_FALSE(match->service);
  EXPECT_EQ(match->upstream_path, "/x");
}

TEST(Router, EmptyConfigMatchesNothing) {
  auto config = load("");
  EXPECT_FALSE(Router(config).match("GET", "", "/"));
}

}  // namespace
}  // namespace bazaar::gateway::routing
