#include "gateway/plugins/rate_limiting/identifier.hpp"

#include <gtest/gtest.h>

#include "gateway/uri/normalize_path.hpp"

namespace bazaar::gateway::rate_limiting {
namespace {
using uri::normalize_path;

Config limited_by(LimitBy by) {
  Config config;
  config.limits[1] = 10;
  config.limit_by = by;
  return config;
}

Request request_from(std::string ip) {
  Request request;
  request.method = "GET";
  request.path = "/api/orders";
  request.client_ip = std::move(ip);
  return request;
}

TEST(IdentifierTest, ConsumerIsTheDefault) {
  const Request request = request_from("192.0.2.1");
  EXPECT_EQ(select_identifier(Config{}, {request, "consumer-1", "cred-1", "svc-1"}), "consumer-1");
}

TEST(IdentifierTest, ConsumerFallsBackToCredentialThenIp) {
  const Request request = request_from("192.0.2.1");
  const Config config = limited_by(LimitBy::consumer);
  EXPECT_EQ(select_identifier(config, {request, std::nullopt, "cred-1", "svc-1"}), "cred-1");
  EXPECT_EQ(select_identifier(config, {request, std::nullopt, std::nullopt, "svc-1"}), "192.0.2.1");
}

TEST(IdentifierTest, CredentialFallsBackToIpNotToConsumer) {
  const Request request = request_from("192.0.2.1");
  const Config config = limited_by(LimitBy::credential);
  EXPECT_EQ(select_identifier(config, {request, "consumer-1", "cred-1", {}}), "cred-1");
  EXPECT_EQ(select_identifier(config, {request, "consumer-1", std::nullopt, {}}), "192.0.2.1");
}

TEST(IdentifierTest, IpIgnoresEverythingElse) {
  const Request request = request_from("2001:db8::1");
  EXPECT_EQ(select_identifier(limited_by(LimitBy::ip), {request, "c", "k", "s"}), "2001:db8::1");
}

TEST(IdentifierTest, ServiceFallsBackToIp) {
  const Request request = request_from("192.0.2.1");
  const Config config = limited_by(LimitBy::service);
  EXPECT_EQ(select_identifier(config, {request, "c", "k", "svc-1"}), "svc-1");
  EXPECT_EQ(select_identifier(config, {request, "c", "k", std::nullopt}), "192.0.2.1");
}

TEST(IdentifierTest, HeaderIsMatchedCaseInsensitivelyFirstValueWins) {
  Request request = request_from("192.0.2.1");
  request.headers = {{"Accept", "*/*"}, {"x-api-key", "key-a"}, {"X-API-KEY", "key-b"}};
  Config config = limited_by(LimitBy::header);
  config.header_name = "X-Api-Key";
  EXPECT_EQ(select_identifier(config, {request, "c", {}, {}}), "key-a");
}

TEST(IdentifierTest, HeaderFallsBackToIpWhenAbsent) {
  const Request request = request_from("192.0.2.1");
  Config config = limited_by(LimitBy::header);
  config.header_name = "X-Api-Key";
  EXPECT_EQ(select_identifier(config, {request, "c", {}, {}}), "192.0.2.1");
}

TEST(IdentifierTest, PathCountsTheConfiguredPathOnly) {
  Config config = limited_by(LimitBy::path);
  config.path = "/api/orders";
  Request request = request_from("192.0.2.1");
  EXPECT_EQ(select_identifier(config, {request, "c", {}, {}}), "/api/orders");
  request.path = "/api/orders/7";
  EXPECT_EQ(select_identifier(config, {request, "c", {}, {}}), "192.0.2.1");
}

TEST(IdentifierTest, PathIsComparedNormalised) {
  Config config = limited_by(LimitBy::path);
  config.path = "/api/orders";
  Request request = request_from("192.0.2.1");
  request.path = "/api/x/..//%6Frders";
  EXPECT_EQ(select_identifier(config, {request, {}, {}, {}}), "/api/orders");
}

TEST(PathNormalizationTest, KongsDocumentedExample) {
  EXPECT_EQ(normalize_path("/t/Abc%20123%C3%B8%2f/parent/..//test/./"),
            "/t/Abc 123\xC3\xB8%2F/test/");
}

TEST(PathNormalizationTest, DotSegmentsAndSlashes) {
  EXPECT_EQ(normalize_path("/"), "/");
  EXPECT_EQ(normalize_path(""), "");
  EXPECT_EQ(normalize_path("/a/./b"), "/a/b");
  EXPECT_EQ(normalize_path("/a/../../b"), "/b");
  EXPECT_EQ(normalize_path("/a/b/.."), "/a/");
  EXPECT_EQ(normalize_path("//a///b"), "/a/b");
  EXPECT_EQ(normalize_path("/%2e%2E/a"), "/a");  // encoded dots are dots
  EXPECT_EQ(normalize_path("/a%3fb%3Dc"), "/a%3Fb%3Dc");
  EXPECT_EQ(normalize_path("/bad%zz"), "/bad%zz");
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
