#include "gateway/proxy/access_phase.hpp"

#include <gtest/gtest.h>

#include "gateway/plugins/jwt/test_support.hpp"
#include "gateway/proxy/header_list.hpp"

using namespace bazaar::gateway;
using namespace bazaar::gateway::proxy;

namespace {

constexpr std::string_view kConfig = R"yaml(
_format_version: "3.0"
services:
  - name: orders
    url: http://127.0.0.1:9
    routes:
      - name: orders-route
        paths: [/orders]
    plugins:
      - name: jwt
      - name: request-transformer
        config: {add: {headers: ["X-Consumer-ID:$(consumer.id)", "X-Seen:yes"]}}
consumers:
  - username: ada
    id: c0ffee00-0000-4000-8000-000000000001
    jwt_secrets:
      - key: ada-key
        secret: s3cret
    plugins:
      - name: rate-limiting
        config: {second: 1, minute: 2}
)yaml";

AccessResult run(const std::shared_ptr<const Snapshot>& snap, Request request) {
  const auto match = snap->router.match(request.method, "example.com", request.path);
  EXPECT_TRUE(match);
  AccessResult result;
  result.request = std::move(request);
  AccessPhase phase(*snap, *match, std::chrono::system_clock::now(), result);
  EXPECT_TRUE(phase.run());  // the local store answers inline
  return result;
}

Request with_token(std::string token) {
  Request r;
  r.method = "GET";
  r.path = "/orders/1";
  r.client_ip = "127.0.0.1";
  r.headers.push_back({"Authorization", "Bearer " + token});
  r.headers.push_back({"X-Consumer-ID", "forged"});
  return r;
}

}  // namespace

TEST(AccessPhase, JwtThenConsumerScopedRateLimitThenTransformer) {
  CounterStores stores;
  auto snap = parse_snapshot(kConfig, stores);
  const std::string token =
      jwt::testing::hs_token(jwt::Algorithm::HS256, "s3cret", R"({"iss":"ada-key"})");

  AccessResult ok = run(snap, with_token(token));
  ASSERT_FALSE(ok.response) << ok.response->body;
  ASSERT_TRUE(ok.consumer);
  EXPECT_EQ(ok.consumer->username, "ada");
  EXPECT_EQ(first_value(ok.request.headers, "x-consumer-username"), "ada");
  EXPECT_EQ(count(ok.request.headers, "x-consumer-id"), 1u);
  EXPECT_EQ(first_value(ok.request.headers, "x-consumer-id"),
            "c0ffee00-0000-4000-8000-000000000001");
  EXPECT_EQ(first_value(ok.request.headers, "x-seen"), "yes");
  EXPECT_FALSE(ok.response_headers.empty());  // the consumer's rate-limiting ran

  AccessResult limited = run(snap, with_token(token));
  AccessResult again = limited.response ? std::move(limited) : run(snap, with_token(token));
  ASSERT_TRUE(again.response);
  EXPECT_EQ(again.response->status, 429);
  EXPECT_TRUE(again.rate_limited);
  EXPECT_EQ(again.response->body, R"({"message":"API rate limit exceeded"})");
}

TEST(AccessPhase, RejectionsCarryKongsAnswer) {
  CounterStores stores;
  auto snap = parse_snapshot(kConfig, stores);
  Request none;
  none.method = "GET";
  none.path = "/orders";
  AccessResult missing = run(snap, none);
  ASSERT_TRUE(missing.response);
  EXPECT_EQ(missing.response->status, 401);
  EXPECT_EQ(missing.response->body, R"({"message":"Unauthorized"})");

  const std::string forged =
      jwt::testing::hs_token(jwt::Algorithm::HS256, "wrong", R"({"iss":"ada-key"})");
  AccessResult bad = run(snap, with_token(forged));
  ASSERT_TRUE(bad.response);
  EXPECT_EQ(bad.response->status, 401);
  EXPECT_EQ(bad.response->body, R"({"message":"Invalid signature"})");
}
