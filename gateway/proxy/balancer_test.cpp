#include "gateway/proxy/balancer.hpp"

#include <gtest/gtest.h>

#include <map>

using namespace bazaar::gateway;
using namespace bazaar::gateway::proxy;

namespace {
config::Upstream upstream(std::vector<std::pair<std::string, int>> targets) {
  config::Upstream u;
  u.name = "up";
  for (auto& [host, weight] : targets) {
    config::Target t;
    t.host = host;
    t.port = 80;
    t.target = host + ":80";
    t.weight = weight;
    u.targets.push_back(t);
  }
  return u;
}
}  // namespace

TEST(Balancer, RoundRobinByWeight) {
  Balancer b(upstream({{"a", 100}, {"b", 100}, {"c", 200}, {"z", 0}}));
  std::map<std::string, int> seen;
  for (int i = 0; i < 400; ++i) ++seen[b.next()->host];
  EXPECT_EQ(seen["a"], 100);
  EXPECT_EQ(seen["b"], 100);
  EXPECT_EQ(seen["c"], 200);
  EXPECT_EQ(seen.count("z"), 0u);
  EXPECT_EQ(b.health(0), TargetHealth::healthchecks_off);
}

TEST(Balancer, PassiveChecksMarkTargetsUnhealthyAndBack) {
  auto u = upstream({{"a", 100}, {"b", 100}});
  u.passive_healthcheck.unhealthy.tcp_failures = 2;
  u.passive_healthcheck.unhealthy.http_failures = 1;
  u.passive_healthcheck.healthy.successes = 1;
  Balancer b(u);
  b.report_tcp_failure(0);
  EXPECT_EQ(b.health(0), TargetHealth::healthy);
  b.report_http_status(0, 200);  // a success resets the consecutive failures
  b.report_tcp_failure(0);
  EXPECT_EQ(b.health(0), TargetHealth::healthy);
  b.report_tcp_failure(0);
  EXPECT_EQ(b.health(0), TargetHealth::unhealthy);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(b.next()->host, "b");
  b.report_http_status(1, 500);
  EXPECT_EQ(b.health(1), TargetHealth::unhealthy);
  EXPECT_FALSE(b.next());
  b.report_http_status(0, 200);
  EXPECT_EQ(b.health(0), TargetHealth::healthy);
  EXPECT_EQ(b.next()->host, "a");
}
