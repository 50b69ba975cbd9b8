#include "gateway/plugins/jwt/response_body.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

TEST(JwtResponseBody, Message) {
  EXPECT_EQ(message_body("Unauthorized"), R"({"message":"Unauthorized"})");
}

TEST(JwtResponseBody, EscapesLikeCjson) {
  EXPECT_EQ(cjson_string("a/b"), R"("a\/b")");
  EXPECT_EQ(cjson_string("q\"b\\"), R"("q\"b\\")");
  EXPECT_EQ(cjson_string("\n\t\x01\x7f"), R"("\n\t\u0001\u007f")");
  EXPECT_EQ(cjson_string("caf\xc3\xa9"), "\"caf\xc3\xa9\"");  // bytes pass through
}

TEST(JwtResponseBody, Errors) {
  EXPECT_EQ(errors_body({{"exp", "token expired"}}), R"({"exp":"token expired"})");
  EXPECT_EQ(errors_body({{"exp", "must be a number"}, {"nbf", "must be a number"}}),
            R"({"exp":"must be a number","nbf":"must be a number"})");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
