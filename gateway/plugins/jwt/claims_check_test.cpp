#include "gateway/plugins/jwt/claims_check.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace bazaar::gateway::jwt {
namespace {

constexpr long long kNow = 1000;
const std::vector<RegisteredClaim> kBoth = {RegisteredClaim::exp, RegisteredClaim::nbf};

ClaimErrors verify(std::string_view claims, const std::vector<RegisteredClaim>& which = kBoth) {
  return verify_registered_claims(boost::json::parse(claims), which, kNow);
}

TEST(JwtClaimsCheck, ValidTimes) {
  EXPECT_TRUE(verify(R"({"exp":1001,"nbf":1000})").empty());
  EXPECT_TRUE(verify(R"({"exp":1000.5,"nbf":999.9})").empty());
  EXPECT_TRUE(verify(R"({})", {}).empty());
}

TEST(JwtClaimsCheck, Boundaries) {
  EXPECT_EQ(verify(R"({"exp":1000,"nbf":0})"), (ClaimErrors{{"exp", "token expired"}}));
  EXPECT_EQ(verify(R"({"exp":2000,"nbf":1000.5})"), (ClaimErrors{{"nbf", "token not valid yet"}}));
}

TEST(JwtClaimsCheck, TypeErrors) {
  EXPECT_EQ(verify(R"({"exp":"2000","nbf":null})"),
            (ClaimErrors{{"exp", "must be a number"}, {"nbf", "must be a number"}}));
  EXPECT_EQ(verify(R"([1,2])", {RegisteredClaim::nbf}), (ClaimErrors{{"nbf", "must be a number"}}));
  EXPECT_EQ(verify(R"({"exp":true})", {RegisteredClaim::exp}),
            (ClaimErrors{{"exp", "must be a number"}}));
}

TEST(JwtClaimsCheck, ConfiguredOrderIsKept) {
  EXPECT_EQ(verify(R"({})", {RegisteredClaim::nbf, RegisteredClaim::exp}),
            (ClaimErrors{{"nbf", "must be a number"}, {"exp", "must be a number"}}));
}

TEST(JwtMaximumExpiration, Limits) {
  auto check = [](std::string_view claims, double max) {
    return check_maximum_expiration(boost::json::parse(claims), max, kNow);
  };
  EXPECT_TRUE(check(R"({"exp":1060})", 60).empty());
  EXPECT_EQ(check(R"({"exp":1061})", 60),
            (ClaimErrors{{"exp", "exceeds maximum allowed expiration"}}));
  EXPECT_EQ(check(R"({})", 60), (ClaimErrors{{"exp", "exceeds maximum allowed expiration"}}));
  EXPECT_TRUE(check(R"({"exp":999999})", 0).empty());
}

}  // namespace
}  // namespace bazaar::gateway::jwt
