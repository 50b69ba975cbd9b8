#include "gateway/plugins/jwt/token_decoder.hpp"

#include <gtest/gtest.h>

#include "gateway/plugins/jwt/test_support.hpp"

namespace bazaar::gateway::jwt {
namespace {

using testing::assemble;
using testing::b64url;

std::string reason(std::string_view token) {
  auto r = decode_token(token);
  if (auto* e = std::get_if<TokenDecodeError>(&r)) {
    return e->kind == TokenDecodeError::Kind::unexpected_error ? "500" : e->reason;
  }
  return "ok";
}

TEST(JwtDecodeToken, SplitsAndDecodes) {
  std::string token = assemble(R"({"alg":"HS384","typ":"JWT"})", R"({"iss":"k","n":1})", "sig");
  auto r = decode_token(token);
  ASSERT_TRUE(std::holds_alternative<DecodedToken>(r));
  const DecodedToken& t = std::get<DecodedToken>(r);
  EXPECT_EQ(t.algorithm, Algorithm::HS384);
  EXPECT_EQ(t.signature, "sig");
  EXPECT_EQ(t.signing_input, token.substr(0, token.rfind('.')));
  EXPECT_EQ(t.claims.as_object().at("iss").as_string(), "k");
}

TEST(JwtDecodeToken, Reasons) {
  const std::string h = b64url(R"({"alg":"HS256"})");
  const std::string c = b64url(R"({"iss":"k"})");
  EXPECT_EQ(reason(""), "invalid JSON");
  EXPECT_EQ(reason(h), "invalid JSON");
  EXPECT_EQ(reason(h + "." + c), "invalid JSON");
  EXPECT_EQ(reason(h + "." + c + "."), "ok");  // an empty signature decodes to ""
  EXPECT_EQ(reason(h + ".e30." + "!"), "invalid signature");
  EXPECT_EQ(reason(h + "." + c + ".a.b"), "invalid signature");
  EXPECT_EQ(reason(b64url("{") + "." + c + ".x"), "invalid JSON");
  EXPECT_EQ(reason(h + "." + b64url("{\"a\":") + ".x"), "invalid JSON");
  EXPECT_EQ(reason(b64url(R"({"alg":"none"})") + "." + c + ".x"), "invalid alg");
  EXPECT_EQ(reason(b64url(R"({"alg":"ES256K"})") + "." + c + ".x"), "invalid alg");
  EXPECT_EQ(reason(b64url(R"(true)") + "." + c + ".x"), "500");
  EXPECT_EQ(reason(h + "." + b64url("false") + ".x"), "invalid claims");
  EXPECT_EQ(reason(h + "." + b64url("true") + ".xx"), "ok");  // the handler trips on it later
  // Checked in Kong's order: alg before claims before signature.
  EXPECT_EQ(reason(b64url(R"({})") + "." + b64url("false") + ".!"), "invalid alg");
  EXPECT_EQ(reason(h + "." + b64url("false") + ".!"), "invalid claims");
}

TEST(JwtDecodeToken, EveryKongAlgorithmIsKnown) {
  for (const char* alg : {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384",
                          "ES512", "PS256", "PS384", "PS512", "EdDSA"}) {
    EXPECT_EQ(reason(assemble(std::string(R"({"alg":")") + alg + "\"}", "{}", "")), "ok") << alg;
  }
}

TEST(JwtParseJsonLikeCjson, LastDuplicateKeyWins) {
  auto v = parse_json_like_cjson(R"({"iss":"a","iss":"b"})");
  ASSERT_TRUE(v);
  EXPECT_EQ(v->as_object().at("iss").as_string(), "b");
}

TEST(JwtParseJsonLikeCjson, DeepNestingAndRawBytes) {
  std::string deep(200, '[');
  deep += std::string(200, ']');
  EXPECT_TRUE(parse_json_like_cjson(deep));
  EXPECT_TRUE(parse_json_like_cjson("\"\xff\xfe\""));
  EXPECT_FALSE(parse_json_like_cjson("{\"a\":1,}"));
}

}  // namespace
}  // namespace bazaar::gateway::jwt
