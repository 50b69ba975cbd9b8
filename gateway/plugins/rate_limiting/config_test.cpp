#include "gateway/plugins/rate_limiting/config.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bazaar::gateway::rate_limiting {
namespace {

std::variant<Config, FieldErrors> parse(std::string_view text) {
  return parse_config(boost::json::parse(text).as_object());
}

Config parse_ok(std::string_view text) {
  auto result = parse(text);
  if (auto* errors = std::get_if<FieldErrors>(&result)) {
    for (const auto& error : *errors) ADD_FAILURE() << error.field << ": " << error.reason;
    return {};
  }
  return std::get<Config>(result);
}

// The first error, as "field: reason".
std::string first_error(std::string_view text) {
  auto result = parse(text);
  auto* errors = std::get_if<FieldErrors>(&result);
  if (errors == nullptr || errors->empty()) return "(accepted)";
  return errors->front().field + ": " + errors->front().reason;
}

TEST(RateLimitingConfigTest, DefaultsAreKongs) {
  const Config config = parse_ok(R"({"minute": 5})");
  EXPECT_EQ(config.limit(Period::minute), 5);
  EXPECT_EQ(config.limit(Period::second), std::nullopt);
  EXPECT_EQ(config.limit_by, LimitBy::consumer);
  EXPECT_EQ(config.policy, Policy::local);
  EXPECT_TRUE(config.fault_tolerant);
  EXPECT_FALSE(config.hide_client_headers);
  EXPECT_EQ(config.error_code, 429);
  EXPECT_EQ(config.error_message, "API rate limit exceeded");
  EXPECT_EQ(config.sync_rate, -1);
  EXPECT_EQ(config.redis.port, 6379);
  EXPECT_EQ(config.redis.timeout_ms, 2000);
  EXPECT_EQ(config.redis.database, 0);
  EXPECT_FALSE(config.redis.ssl);
}

TEST(RateLimitingConfigTest, ReadsEveryField) {
  const Config config = parse_ok(R"({
    "second": 1, "minute": 2, "hour": 3, "day": 4, "month": 5, "year": 6,
    "limit_by": "header", "header_name": "X-Api-Key", "path": "/api",
    "policy": "redis", "fault_tolerant": false, "hide_client_headers": true,
    "error_code": 503, "error_message": "slow down", "sync_rate": -1,
    "redis": {"host": "redis", "port": 6380, "timeout": 500, "username": "u",
              "password": "p", "database": 2, "ssl": true, "ssl_verify": true,
              "server_name": "redis.local"}})");
  for (std::size_t i = 0; i < kPeriods.size(); ++i) {
    EXPECT_EQ(config.limit(kPeriods[i]), static_cast<std::int64_t>(i + 1));
  }
  EXPECT_EQ(config.limit_by, LimitBy::header);
  EXPECT_EQ(config.header_name, "X-Api-Key");
  EXPECT_EQ(config.path, "/api");
  EXPECT_EQ(config.policy, Policy::redis);
  EXPECT_FALSE(config.fault_tolerant);
  EXPECT_TRUE(config.hide_client_headers);
  EXPECT_EQ(config.error_code, 503);
  EXPECT_EQ(config.error_message, "slow down");
  EXPECT_EQ(config.redis.host, "redis");
  EXPECT_EQ(config.redis.port, 6380);
  EXPECT_EQ(config.redis.timeout_ms, 500);
  EXPECT_EQ(config.redis.username, "u");
  EXPECT_EQ(config.redis.password, "p");
  EXPECT_EQ(config.redis.database, 2);
  EXPECT_TRUE(config.redis.ssl);
  EXPECT_TRUE(config.redis.ssl_verify);
  EXPECT_EQ(config.redis.server_name, "redis.local");
}

TEST(RateLimitingConfigTest, AcceptsTheDeprecatedFlatRedisFields) {
  const Config config = parse_ok(R"({"minute": 1, "policy": "redis", "redis_host": "r1",
    "redis_port": 7000, "redis_password": "pw", "redis_username": "user",
    "redis_timeout": 100, "redis_database": 3, "redis_ssl": true, "redis_ssl_verify": false,
    "redis_server_name": "sni"})");
  EXPECT_EQ(config.redis.host, "r1");
  EXPECT_EQ(config.redis.port, 7000);
  EXPECT_EQ(config.redis.password, "pw");
  EXPECT_EQ(config.redis.username, "user");
  EXPECT_EQ(config.redis.timeout_ms, 100);
  EXPECT_EQ(config.redis.database, 3);
  EXPECT_TRUE(config.redis.ssl);
  EXPECT_EQ(config.redis.server_name, "sni");
}

TEST(RateLimitingConfigTest, FlatAndNestedRedisFieldsMustAgree) {
  EXPECT_EQ(first_error(R"({"minute": 1, "redis_host": "a", "redis": {"host": "b"}})"),
            "redis_host: conflicts with redis.host");
  parse_ok(R"({"minute": 1, "redis_host": "a", "redis": {"host": "a"}})");
  EXPECT_EQ(first_error(R"({"minute": 1, "redis_port": 70000})"),
            "redis_port: value should be between 0 and 65535");
}

TEST(RateLimitingConfigTest, NullMeansNotSet) {
  const Config config = parse_ok(R"({"minute": 3, "hour": null, "redis_host": null})");
  EXPECT_EQ(config.limit(Period::hour), std::nullopt);
}

TEST(RateLimitingConfigTest, NeedsAtLeastOneLimit) {
  EXPECT_EQ(first_error(R"({"limit_by": "ip"})"),
            "second: at least one of these fields must be non-empty: 'second', 'minute', "
            "'hour', 'day', 'month', 'year'");
}

TEST(RateLimitingConfigTest, LimitsMustBePositiveWholeNumbers) {
  EXPECT_EQ(first_error(R"({"minute": 0})"), "minute: value must be greater than 0");
  EXPECT_EQ(first_error(R"({"hour": -4})"), "hour: value must be greater than 0");
  EXPECT_EQ(first_error(R"({"day": "10"})"), "day: expected a number");
  EXPECT_EQ(first_error(R"({"second": 1.5})"), "second: expected a whole number of requests");
  EXPECT_EQ(parse_ok(R"({"minute": 10.0})").limit(Period::minute), 10);
}

TEST(RateLimitingConfigTest, LargerPeriodMayNotAllowFewerRequests) {
  EXPECT_EQ(first_error(R"({"minute": 20, "hour": 10})"),
            "hour: The limit for hour(10.0) cannot be lower than the limit for minute(20.0)");
  EXPECT_EQ(first_error(R"({"second": 5, "year": 4})"),
            "year: The limit for year(4.0) cannot be lower than the limit for second(5.0)");
  parse_ok(R"({"second": 5, "minute": 5, "hour": 100})");  // equal is fine
}

TEST(RateLimitingConfigTest, LimitByChoices) {
  EXPECT_EQ(parse_ok(R"({"minute": 1, "limit_by": "credential"})").limit_by, LimitBy::credential);
  EXPECT_EQ(parse_ok(R"({"minute": 1, "limit_by": "ip"})").limit_by, LimitBy::ip);
  EXPECT_EQ(parse_ok(R"({"minute": 1, "limit_by": "service"})").limit_by, LimitBy::service);
  EXPECT_EQ(first_error(R"({"minute": 1, "limit_by": "consumer_group"})"),
            "limit_by: expected one of: consumer, credential, ip, service, header, path");
}

TEST(RateLimitingConfigTest, HeaderAndPathAreRequiredByTheirLimitBy) {
  EXPECT_EQ(first_error(R"({"minute": 1, "limit_by": "header"})"),
            "header_name: required field missing (limit_by is header)");
  EXPECT_EQ(first_error(R"({"minute": 1, "limit_by": "path"})"),
            "path: required field missing (limit_by is path)");
  EXPECT_EQ(first_error(R"({"minute": 1, "header_name": "X Api"})"),
            "header_name: bad header name 'X Api', allowed characters are A-Z, a-z, 0-9, '_', "
            "and '-'");
  EXPECT_EQ(first_error(R"({"minute": 1, "path": "api"})"), "path: should start with: /");
}

TEST(RateLimitingConfigTest, ClusterPolicyIsRefusedWithAReason) {
  EXPECT_EQ(first_error(R"({"minute": 1, "policy": "cluster"})"),
            "policy: 'cluster' keeps counters in Kong's database, which this gateway does not "
            "have; use 'local' or 'redis'");
  EXPECT_EQ(first_error(R"({"minute": 1, "policy": "memcached"})"),
            "policy: expected one of: local, redis");
}

TEST(RateLimitingConfigTest, RedisPolicyNeedsAHost) {
  EXPECT_EQ(first_error(R"({"minute": 1, "policy": "redis"})"),
            "redis.host: required field missing (policy is redis)");
}

TEST(RateLimitingConfigTest, SyncRateIsValidatedAsKongDoes) {
  EXPECT_EQ(first_error(R"({"minute": 1, "sync_rate": 10})"),
            "sync_rate: sync_rate can only be used with the redis policy");
  EXPECT_EQ(
      first_error(R"({"minute": 1, "policy": "redis", "redis_host": "r", "sync_rate": 0.01})"),
      "sync_rate: sync_rate must be greater than 0.02, or -1 to disable");
  EXPECT_EQ(
      parse_ok(R"({"minute": 1, "policy": "redis", "redis_host": "r", "sync_rate": 1})").sync_rate,
      1);
}

TEST(RateLimitingConfigTest, UnknownFieldsAreErrors) {
  EXPECT_EQ(first_error(R"({"minute": 1, "minutes": 2})"), "minutes: unknown field");
  EXPECT_EQ(first_error(R"({"minute": 1, "redis": {"hostname": "r"}})"),
            "redis.hostname: unknown field");
}

TEST(RateLimitingConfigTest, WrongTypesNameTheField) {
  EXPECT_EQ(first_error(R"({"minute": 1, "fault_tolerant": "yes"})"),
            "fault_tolerant: expected a boolean");
  EXPECT_EQ(first_error(R"({"minute": 1, "error_message": 5})"),
            "error_message: expected a string");
  EXPECT_EQ(first_error(R"({"minute": 1, "error_code": 0})"),
            "error_code: expected an HTTP status code");
  EXPECT_EQ(first_error(R"({"minute": 1, "redis": "r"})"), "redis: expected a record");
  EXPECT_EQ(first_error(R"({"minute": 1, "redis": {"port": "x"}})"),
            "redis.port: expected a number");
}

TEST(RateLimitingConfigTest, ReportsEveryError) {
  auto result = parse(R"({"minute": 0, "policy": "x", "bogus": true})");
  ASSERT_TRUE(std::holds_alternative<FieldErrors>(result));
  EXPECT_GE(std::get<FieldErrors>(result).size(), 3u);
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
