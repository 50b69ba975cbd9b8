#include "gateway/proxy/snapshot.hpp"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "gateway/config/config_error.hpp"

using namespace bazaar::gateway;
using namespace bazaar::gateway::proxy;

namespace {

constexpr std::string_view kConfig = R"yaml(
_format_version: "3.0"
services:
  - name: orders
    url: http://127.0.0.1:9/base
    routes:
      - name: orders-route
        paths: [/orders]
    plugins:
      - name: rate-limiting
        config: {minute: 10}
      - name: request-transformer
        config: {add: {body: ["a:b"]}}
  - name: users
    url: http://127.0.0.1:9
    routes:
      - name: users-route
        paths: [/users]
consumers:
  - username: ada
    id: 7d8e0a52-0c0b-4d51-9a4e-2f8f4a1f5b01
    jwt_secrets:
      - key: ada-key
        secret: s3cret
plugins:
  - name: rate-limiting
    config: {minute: 100}
  - name: rate-limiting
    consumer: ada
    config: {minute: 1000}
)yaml";

const RateLimitingInstance& rate_limit(const PluginInstance* p) {
  return std::get<RateLimitingInstance>(p->config);
}

}  // namespace

TEST(Snapshot, PicksThePluginInstanceByKongPrecedence) {
  CounterStores stores;
  auto snap = parse_snapshot(kConfig, stores);
  ASSERT_EQ(snap->plugins.size(), 4u);
  EXPECT_EQ(snap->hash.size(), 32u);
  // orders route/service: the service instance beats the global one.
  const Scope orders{0, 0, std::nullopt};
  EXPECT_EQ(rate_limit(snap->find_plugin(kRateLimiting, orders))
                .config.limit(rate_limiting::Period::minute),
            10);
  EXPECT_EQ(rate_limit(snap->find_plugin(kRateLimiting, orders)).scope.service_id, "orders");
  // users: only the global one, unless the consumer is known.
  const Scope users{1, 1, std::nullopt};
  EXPECT_EQ(rate_limit(snap->find_plugin(kRateLimiting, users))
                .config.limit(rate_limiting::Period::minute),
            100);
  const Scope users_ada{1, 1, 0};
  EXPECT_EQ(rate_limit(snap->find_plugin(kRateLimiting, users_ada))
                .config.limit(rate_limiting::Period::minute),
            1000);
  // consumer (5) beats service (7).
  const Scope orders_ada{0, 0, 0};
  EXPECT_EQ(rate_limit(snap->find_plugin(kRateLimiting, orders_ada))
                .config.limit(rate_limiting::Period::minute),
            1000);
  EXPECT_EQ(snap->find_plugin(kJwt, users), nullptr);
  EXPECT_TRUE(snap->may_rewrite_body(orders));
  EXPECT_FALSE(snap->may_rewrite_body(users));
  EXPECT_EQ(snap->find_consumer("ada"), 0u);
  EXPECT_EQ(snap->find_consumer("7d8e0a52-0c0b-4d51-9a4e-2f8f4a1f5b01"), 0u);
  EXPECT_EQ(snap->keys.size(), 1u);
}

TEST(Snapshot, RefusesWhatItCannotRun) {
  CounterStores stores;
  const auto error_of = [&](std::string text) -> std::string {
    try {
      parse_snapshot(text, stores);
    } catch (const config::ConfigError& e) {
      return e.what();
    }
    return "";
  };
  const std::string base =
      "_format_version: \"3.0\"\nservices:\n  - name: s\n    url: http://h:1\n";
  EXPECT_NE(
      error_of(base + "    plugins:\n      - name: rate-limiting\n        config: {minute: x}\n")
          .find("rate-limiting"),
      std::string::npos);
  // Redis counters connect from the gateway's workers; a snapshot without them cannot count.
  EXPECT_NE(
      error_of(base + "    plugins:\n      - name: rate-limiting\n        config: {minute: 1, "
                      "policy: redis, redis: {host: r}}\n")
          .find("policy redis needs the gateway's workers"),
      std::string::npos);
  EXPECT_NE(error_of(base + "    plugins:\n      - name: key-auth\n").find("not installed"),
            std::string::npos);
  EXPECT_NE(error_of("_format_version: \"3.0\"\nservices:\n  - name: s\n    url: https://h:1\n")
                .find("service 's'"),
            std::string::npos);
}

TEST(Snapshot, RedisOverTlsIsRefusedWhenTheConfigurationLoads) {
  boost::asio::io_context worker;
  CounterStores stores({worker.get_executor()});
  try {
    parse_snapshot(
        "_format_version: \"3.0\"\nservices:\n  - name: s\n    url: http://h:1\n"
        "    plugins:\n      - name: rate-limiting\n        config: {minute: 1, policy: redis, "
        "redis: {host: r, ssl: true}}\n",
        stores);
    ADD_FAILURE() << "a TLS Redis was accepted";
  } catch (const config::ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("redis.ssl is not supported"), std::string::npos)
        << e.what();
  }
}
