// Kong's own path-handling table (spec/fixtures/router_path_handling_tests.lua), row for row:
// through the join function for v0 and v1, and through the Router (which, like Kong's
// traditional_compatible flavor, always joins the v0 way) with plain and regex paths.
#include <gtest/gtest.h>

#include "gateway/routing/router.hpp"
#include "gateway/routing/upstream_path.hpp"

namespace bazaar::gateway::routing {
namespace {

using config::PathHandling;

enum Strip { kNoStrip = 1, kStrip = 2, kBothStrip = 3 };
enum Handling { kV0 = 1, kV1 = 2, kBothHandling = 3 };

struct Row {
  std::string_view service_path;
  std::optional<std::string_view> route_path;  // nullopt: the route matches on its host
  Strip strip;
  Handling handling;
  std::string_view request_path;
  std::string_view expected;
};

constexpr auto kNone = std::nullopt;

// clang-format off
const std::vector<Row> kKongTable = {
  {"/",          "/",       kBothStrip, kBothHandling, "/",          "/"},
  {"/",          "/",       kBothStrip, kBothHandling, "/route",     "/route"},
  {"/",          "/",       kBothStrip, kBothHandling, "/route/",    "/route/"},
  {"/",          "/",       kBothStrip, kBothHandling, "/routereq",  "/routereq"},
  {"/",          "/",       kBothStrip, kBothHandling, "/route/req", "/route/req"},
  // 5
  {"/",          "/route",  kNoStrip,   kBothHandling, "/route",     "/route"},
  {"/",          "/route",  kNoStrip,   kBothHandling, "/route/",    "/route/"},
  {"/",          "/route",  kNoStrip,   kBothHandling, "/routereq",  "/routereq"},
  {"/",          "/route",  kStrip,     kBothHandling, "/route",     "/"},
  {"/",          "/route",  kStrip,     kBothHandling, "/route/",    "/"},
  {"/",          "/route",  kStrip,     kBothHandling, "/routereq",  "/req"},
  // 11
  {"/",          "/route/", kNoStrip,   kBothHandling, "/route/",    "/route/"},
  {"/",          "/route/", kNoStrip,   kBothHandling, "/route/req", "/route/req"},
  {"/",          "/route/", kStrip,     kBothHandling, "/route/",    "/"},
  {"/",          "/route/", kStrip,     kBothHandling, "/route/req", "/req"},
  // 15
  {"/srv",       "/rou",    kNoStrip,   kV0,           "/roureq",    "/srv/roureq"},
  {"/srv",       "/rou",    kNoStrip,   kV1,           "/roureq",    "/srvroureq"},
  {"/srv",       "/rou",    kStrip,     kV0,           "/roureq",    "/srv/req"},
  {"/srv",       "/rou",    kStrip,     kV1,           "/roureq",    "/srvreq"},
  // 19
  {"/srv/",      "/rou",    kNoStrip,   kBothHandling, "/rou",       "/srv/rou"},
  {"/srv/",      "/rou",    kStrip,     kV0,           "/rou",       "/srv"},
  {"/srv/",      "/rou",    kStrip,     kV1,           "/rou",       "/srv/"},
  // 22
  {"/service",   "/",       kBothStrip, kBothHandling, "/",          "/service"},
  {"/service",   "/",       kBothStrip, kV0,           "/route",     "/service/route"},
  {"/service",   "/",       kBothStrip, kV1,           "/route",     "/serviceroute"},
  {"/service",   "/",       kBothStrip, kV0,           "/route/",    "/service/route/"},
  {"/service",   "/",       kBothStrip, kV1,           "/route/",    "/serviceroute/"},
  // 27
  {"/service",   "/",       kBothStrip, kV0,           "/routereq",  "/service/routereq"},
  {"/service",   "/",       kBothStrip, kV1,           "/routereq",  "/serviceroutereq"},
  {"/service",   "/",       kBothStrip, kV0,           "/route/req", "/service/route/req"},
  {"/service",   "/",       kBothStrip, kV1,           "/route/req", "/serviceroute/req"},
  // 31
  {"/service",   "/route",  kNoStrip,   kV0,           "/route",     "/service/route"},
  {"/service",   "/route",  kNoStrip,   kV1,           "/route",     "/serviceroute"},
  {"/service",   "/route",  kNoStrip,   kV0,           "/route/",    "/service/route/"},
  {"/service",   "/route",  kNoStrip,   kV1,           "/route/",    "/serviceroute/"},
  {"/service",   "/route",  kNoStrip,   kV0,           "/routereq",  "/service/routereq"},
  {"/service",   "/route",  kNoStrip,   kV1,           "/routereq",  "/serviceroutereq"},
  {"/service",   "/route",  kStrip,     kBothHandling, "/route",     "/service"},
  {"/service",   "/route",  kStrip,     kBothHandling, "/route/",    "/service/"},
  {"/service",   "/route",  kStrip,     kV0,           "/routereq",  "/service/req"},
  {"/service",   "/route",  kStrip,     kV1,           "/routereq",  "/servicereq"},
  // 41
  {"/service",   "/route/", kNoStrip,   kV0,           "/route/",    "/service/route/"},
  {"/service",   "/route/", kNoStrip,   kV1,           "/route/",    "/serviceroute/"},
  {"/service",   "/route/", kNoStrip,   kV0,           "/route/req", "/service/route/req"},
  {"/service",   "/route/", kNoStrip,   kV1,           "/route/req", "/serviceroute/req"},
  {"/service",   "/route/", kStrip,     kV0,           "/route/",    "/service/"},
  {"/service",   "/route/", kStrip,     kV1,           "/route/",    "/service"},
  {"/service",   "/route/", kStrip,     kV0,           "/route/req", "/service/req"},
  {"/service",   "/route/", kStrip,     kV1,           "/route/req", "/servicereq"},
  // 49
  {"/service/",  "/",       kBothStrip, kV0,           "/route/",    "/service/route/"},
  {"/service/",  "/",       kBothStrip, kV1,           "/route/",    "/service/route/"},
  {"/service/",  "/",       kBothStrip, kBothHandling, "/",          "/service/"},
  {"/service/",  "/",       kBothStrip, kBothHandling, "/route",     "/service/route"},
  {"/service/",  "/",       kBothStrip, kBothHandling, "/routereq",  "/service/routereq"},
  {"/service/",  "/",       kBothStrip, kBothHandling, "/route/req", "/service/route/req"},
  // 55
  {"/service/",  "/route",  kNoStrip,   kBothHandling, "/route",     "/service/route"},
  {"/service/",  "/route",  kNoStrip,   kBothHandling, "/route/",    "/service/route/"},
  {"/service/",  "/route",  kNoStrip,   kBothHandling, "/routereq",  "/service/routereq"},
  {"/service/",  "/route",  kStrip,     kV0,           "/route",     "/service"},
  {"/service/",  "/route",  kStrip,     kV1,           "/route",     "/service/"},
  {"/service/",  "/route",  kStrip,     kBothHandling, "/route/",    "/service/"},
  {"/service/",  "/route",  kStrip,     kBothHandling, "/routereq",  "/service/req"},
  // 62
  {"/service/",  "/route/", kNoStrip,   kBothHandling, "/route/",    "/service/route/"},
  {"/service/",  "/route/", kNoStrip,   kBothHandling, "/route/req", "/service/route/req"},
  {"/service/",  "/route/", kStrip,     kBothHandling, "/route/",    "/service/"},
  {"/service/",  "/route/", kStrip,     kBothHandling, "/route/req", "/service/req"},
  // 66: routes matching on their host only
  {"/",          kNone,     kBothStrip, kBothHandling, "/",          "/"},
  {"/",          kNone,     kBothStrip, kBothHandling, "/route",     "/route"},
  {"/",          kNone,     kBothStrip, kBothHandling, "/route/",    "/route/"},
  // 69
  {"/service",   kNone,     kBothStrip, kBothHandling, "/",          "/service"},
  {"/service",   kNone,     kBothStrip, kV0,           "/route",     "/service/route"},
  {"/service",   kNone,     kBothStrip, kV1,           "/route",     "/serviceroute"},
  {"/service",   kNone,     kBothStrip, kV0,           "/route/",    "/service/route/"},
  {"/service",   kNone,     kBothStrip, kV1,           "/route/",    "/serviceroute/"},
  // 74
  {"/service/",  kNone,     kBothStrip, kBothHandling, "/",          "/service/"},
  {"/service/",  kNone,     kBothStrip, kBothHandling, "/route",     "/service/route"},
  {"/service/",  kNone,     kBothStrip, kBothHandling, "/route/",    "/service/route/"},
};
// clang-format on

struct Case {
  std::size_t row;
  const Row* r;
  bool strip;
  PathHandling handling;
};

std::vector<Case> expand(const std::vector<Row>& table) {
  std::vector<Case> cases;
  for (std::size_t i = 0; i < table.size(); ++i) {
    for (bool strip : {false, true}) {
      if (!(table[i].strip & (strip ? kStrip : kNoStrip))) continue;
      for (auto handling : {PathHandling::v0, PathHandling::v1}) {
        if (!(table[i].handling & (handling == PathHandling::v0 ? kV0 : kV1))) continue;
        cases.push_back({i, &table[i], strip, handling});
      }
    }
  }
  return cases;
}

std::string describe(const Case& c) {
  return "row " + std::to_string(c.row) + ": service " + std::string(c.r->service_path) +
         ", route " + std::string(c.r->route_path.value_or("(host)")) + ", strip " +
         (c.strip ? "on" : "off") + ", " + (c.handling == PathHandling::v0 ? "v0" : "v1") +
         ", request " + std::string(c.r->request_path);
}

TEST(UpstreamPath, KongsPathHandlingTableThroughTheJoin) {
  auto cases = expand(kKongTable);
  EXPECT_EQ(cases.size(), 164u);  // the table's rows, expanded as Kong expands them
  for (const auto& c : cases) {
    PathJoin join;
    join.service_path = c.r->service_path;
    join.matched_path = c.r->route_path;
    join.request_path = c.r->request_path;
    join.strip_path = c.strip;
    join.path_handling = c.handling;
    EXPECT_EQ(join_upstream_path(join), c.r->expected) << describe(c);
  }
}

config::Declarative one_route(const Case& c, bool regex) {
  config::Declarative config;
  config::Service service;
  service.host = "upstream.test";
  service.path = std::string(c.r->service_path);
  config.services.push_back(service);
  config::Route route;
  route.service = 0;
  route.strip_path = c.strip;
  route.hosts = {"localbin.test"};
  if (c.r->route_path) {
    // Kong's own trick for the regex variant: "/[0]?" + the rest matches exactly the same.
    route.paths = {regex ? "~/[0]?" + std::string(c.r->route_path->substr(1))
                         : std::string(*c.r->route_path)};
  }
  config.routes.push_back(route);
  return config;
}

TEST(UpstreamPath, KongsTableThroughTheRouterWithPlainAndRegexPaths) {
  for (const auto& c : expand(kKongTable)) {
    if (c.handling != PathHandling::v0) continue;
    for (bool regex : {false, true}) {
      if (regex && !c.r->route_path) continue;
      Router router(one_route(c, regex));
      auto match = router.match("GET", "localbin.test", c.r->request_path);
      ASSERT_TRUE(match) << describe(c);
      EXPECT_EQ(match->upstream_path, c.r->expected)
          << describe(c) << (regex ? " (regex)" : " (plain)");
    }
  }
}

TEST(UpstreamPath, RouterIgnoresV1AsTraditionalCompatibleDoes) {
  config::Declarative config;
  config::Service service;
  service.host = "upstream.test";
  service.path = "/srv";
  config.services.push_back(service);
  config::Route route;
  route.service = 0;
  route.paths = {"/rou"};
  route.path_handling = PathHandling::v1;
  config.routes.push_back(route);
  EXPECT_EQ(Router(config).match("GET", "", "/roureq")->upstream_path, "/srv/req");
}

TEST(UpstreamPath, StrippedRemainderNeverClimbsOut) {
  PathJoin join;
  join.service_path = "/base";
  join.matched_path = "/api";
  join.request_path = "/api../x";
  EXPECT_EQ(join_upstream_path(join), "/base/x");
  join.request_path = "/api.";
  EXPECT_EQ(join_upstream_path(join), "/base");
}

}  // namespace
}  // namespace bazaar::gateway::routing
