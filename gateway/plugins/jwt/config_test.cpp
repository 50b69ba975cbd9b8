#include "gateway/plugins/jwt/config.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace bazaar::gateway::jwt {
namespace {

std::variant<Config, std::string> parse(std::string_view text) {
  return parse_config(boost::json::parse(text).as_object());
}

Config ok(std::string_view text) {
  auto r = parse(text);
  if (auto* e = std::get_if<std::string>(&r)) {
    ADD_FAILURE() << *e;
    return {};
  }
  return std::get<Config>(r);
}

std::string error(std::string_view text) {
  auto r = parse(text);
  if (auto* e = std::get_if<std::string>(&r)) return *e;
  ADD_FAILURE() << "accepted: " << text;
  return {};
}

TEST(JwtConfig, DefaultsAreKongs) {
  Config c = ok("{}");
  EXPECT_EQ(c.uri_param_names, std::vector<std::string>{"jwt"});
  EXPECT_TRUE(c.cookie_names.empty());
  EXPECT_EQ(c.header_names, std::vector<std::string>{"authorization"});
  EXPECT_EQ(c.key_claim_name, "iss");
  EXPECT_FALSE(c.secret_is_base64);
  EXPECT_TRUE(c.claims_to_verify.empty());
  EXPECT_FALSE(c.anonymous);
  EXPECT_TRUE(c.run_on_preflight);
  EXPECT_EQ(c.maximum_expiration, 0);
  EXPECT_FALSE(c.realm);
}

TEST(JwtConfig, EveryField) {
  Config c = ok(R"({
    "uri_param_names": ["token", "jwt"], "cookie_names": ["session"],
    "header_names": ["x-jwt"], "key_claim_name": "kid", "secret_is_base64": true,
    "claims_to_verify": ["exp", "nbf"], "anonymous": "guest", "run_on_preflight": false,
    "maximum_expiration": 600, "realm": "bazaar"})");
  EXPECT_EQ(c.uri_param_names, (std::vector<std::string>{"token", "jwt"}));
  EXPECT_EQ(c.cookie_names, std::vector<std::string>{"session"});
  EXPECT_EQ(c.header_names, std::vector<std::string>{"x-jwt"});
  EXPECT_EQ(c.key_claim_name, "kid");
  EXPECT_TRUE(c.secret_is_base64);
  EXPECT_EQ(c.claims_to_verify,
            (std::vector<RegisteredClaim>{RegisteredClaim::exp, RegisteredClaim::nbf}));
  EXPECT_EQ(c.anonymous, "guest");
  EXPECT_FALSE(c.run_on_preflight);
  EXPECT_EQ(c.maximum_expiration, 600);
  EXPECT_EQ(c.realm, "bazaar");
}

TEST(JwtConfig, NullMeansDefault) {
  Config c = ok(R"({"uri_param_names": null, "anonymous": null, "realm": null})");
  EXPECT_EQ(c.uri_param_names, std::vector<std::string>{"jwt"});
  EXPECT_FALSE(c.anonymous);
}

TEST(JwtConfig, SetsDropDuplicates) {
  EXPECT_EQ(ok(R"({"claims_to_verify": ["exp", "exp"]})").claims_to_verify,
            std::vector<RegisteredClaim>{RegisteredClaim::exp});
  EXPECT_EQ(ok(R"({"cookie_names": ["a", "b", "a"]})").cookie_names,
            (std::vector<std::string>{"a", "b"}));
}

TEST(JwtConfig, EmptySetsAreAllowed) {
  EXPECT_TRUE(ok(R"({"uri_param_names": [], "header_names": []})").header_names.empty());
}

TEST(JwtConfig, Errors) {
  EXPECT_EQ(error(R"({"foo": 1})"), "config.foo: unknown field");
  EXPECT_EQ(error(R"({"foo": null})"), "config.foo: unknown field");
  EXPECT_EQ(error(R"({"uri_param_names": "jwt"})"), "config.uri_param_names: expected a set");
  EXPECT_EQ(error(R"({"cookie_names": [1]})"), "config.cookie_names[1]: expected a string");
  EXPECT_EQ(error(R"({"header_names": ["a", ""]})"),
            "config.header_names[2]: length must be at least 1");
  EXPECT_EQ(error(R"({"key_claim_name": ""})"), "config.key_claim_name: length must be at least 1");
  EXPECT_EQ(error(R"({"key_claim_name": 1})"), "config.key_claim_name: expected a string");
  EXPECT_EQ(error(R"({"secret_is_base64": "true"})"),
            "config.secret_is_base64: expected a boolean");
  EXPECT_EQ(error(R"({"run_on_preflight": 0})"), "config.run_on_preflight: expected a boolean");
  EXPECT_EQ(error(R"({"claims_to_verify": ["exp", "iat"]})"),
            "config.claims_to_verify[2]: expected one of: exp, nbf");
  EXPECT_EQ(error(R"({"anonymous": ""})"), "config.anonymous: length must be at least 1");
  EXPECT_EQ(error(R"({"realm": true})"), "config.realm: expected a string");
  EXPECT_EQ(error(R"({"maximum_expiration": "60"})"),
            "config.maximum_expiration: expected a number");
}

TEST(JwtConfig, MaximumExpirationRange) {
  EXPECT_EQ(error(R"({"maximum_expiration": -1, "claims_to_verify": ["exp"]})"),
            "config.maximum_expiration: value should be between 0 and 31536000");
  EXPECT_EQ(error(R"({"maximum_expiration": 31536001, "claims_to_verify": ["exp"]})"),
            "config.maximum_expiration: value should be between 0 and 31536000");
  EXPECT_EQ(
      ok(R"({"maximum_expiration": 31536000, "claims_to_verify": ["exp"]})").maximum_expiration,
      31536000);
  EXPECT_EQ(ok(R"({"maximum_expiration": 0.5, "claims_to_verify": ["exp"]})").maximum_expiration,
            0.5);
}

TEST(JwtConfig, MaximumExpirationNeedsExpVerified) {
  EXPECT_EQ(error(R"({"maximum_expiration": 60, "claims_to_verify": ["nbf"]})"),
            "config.claims_to_verify: expected to contain: exp");
  EXPECT_EQ(error(R"({"maximum_expiration": 60})"),
            "config.claims_to_verify: expected to contain: exp");
  ok(R"({"maximum_expiration": 0, "claims_to_verify": ["nbf"]})");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
