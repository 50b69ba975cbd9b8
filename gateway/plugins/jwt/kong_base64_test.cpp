#include "gateway/plugins/jwt/kong_base64.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

TEST(KongBase64, DecodesUnpaddedBase64url) {
  EXPECT_EQ(kong_base64_decode(""), "");
  EXPECT_EQ(kong_base64_decode("Zg"), "f");
  EXPECT_EQ(kong_base64_decode("Zm8"), "fo");
  EXPECT_EQ(kong_base64_decode("Zm9v"), "foo");
  EXPECT_EQ(kong_base64_decode("-_8"), "\xfb\xff");
}

TEST(KongBase64, AcceptsTheStandardAlphabetAndPadding) {
  EXPECT_EQ(kong_base64_decode("+/8"), "\xfb\xff");
  EXPECT_EQ(kong_base64_decode("+_8="), "\xfb\xff");
  EXPECT_EQ(kong_base64_decode("Zg=="), "f");
}

TEST(KongBase64, IgnoresEverythingAfterTheFirstEqualsSign) {
  EXPECT_EQ(kong_base64_decode("Zm9v=!!garbage"), "foo");
}

TEST(KongBase64, DoesNotCheckTrailingBits) {
  EXPECT_EQ(kong_base64_decode("QQ"), "A");
  EXPECT_EQ(kong_base64_decode("QR"), "A");
}

TEST(KongBase64, RejectsForeignCharactersAndImpossibleLengths) {
  EXPECT_FALSE(kong_base64_decode("Zm9v!"));
  EXPECT_FALSE(kong_base64_decode("Zm 9v"));
  EXPECT_FALSE(kong_base64_decode("Zm.9v"));
  EXPECT_FALSE(kong_base64_decode("Z"));
  EXPECT_FALSE(kong_base64_decode("Zm9vY"));
  EXPECT_FALSE(kong_base64_decode("-----BEGIN PUBLIC KEY-----"));
}

}  // namespace
}  // namespace bazaar::gateway::jwt
