#include "gateway/plugins/jwt/algorithm.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

TEST(JwtAlgorithm, RoundTripsEveryName) {
  for (std::string_view name : {"HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256",
                                "ES384", "ES512", "PS256", "PS384", "PS512", "EdDSA"}) {
    std::optional<Algorithm> alg = parse_algorithm(name);
    ASSERT_TRUE(alg) << name;
    EXPECT_EQ(to_string(*alg), name);
  }
}

TEST(JwtAlgorithm, IsExact) {
  for (std::string_view name : {"none", "hs256", "HS256 ", "EDDSA", "ES256K", ""}) {
    EXPECT_FALSE(parse_algorithm(name)) << name;
  }
}

TEST(JwtAlgorithm, HmacFamily) {
  EXPECT_TRUE(is_hmac(Algorithm::HS384));
  EXPECT_FALSE(is_hmac(Algorithm::RS256));
  EXPECT_FALSE(is_hmac(Algorithm::EdDSA));
}

}  // namespace
}  // namespace bazaar::gateway::jwt
