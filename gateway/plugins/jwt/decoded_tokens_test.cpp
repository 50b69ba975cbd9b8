#include "gateway/plugins/jwt/decoded_tokens.hpp"

#include <gtest/gtest.h>

#include <string>

using bazaar::gateway::jwt::DecodedTokens;
using bazaar::gateway::jwt::TokenDecodeError;

namespace {
// {"alg":"HS256","typ":"JWT"} . {"iss":"a"} / {"iss":"b"} . "sig"
const std::string kHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";
const std::string kTokenA = kHeader + ".eyJpc3MiOiJhIn0.c2ln";
const std::string kTokenB = kHeader + ".eyJpc3MiOiJiIn0.c2ln";
}  // namespace

TEST(DecodedTokens, GivesWhatDecodingGivesAndKeepsItForTheSameBytes) {
  DecodedTokens cache;
  TokenDecodeError error{};
  std::string token = kTokenA;
  const auto first = cache.decode(token, &error);
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->claims.at("iss").as_string(), "a");
  EXPECT_EQ(first->signature, "sig");
  EXPECT_EQ(first->signing_input, kHeader + ".eyJpc3MiOiJhIn0");
  token.assign(token.size(), 'x');  // the caller's buffer is reused: the cache has its own copy
  EXPECT_EQ(first->signing_input, kHeader + ".eyJpc3MiOiJhIn0");
  const auto again = cache.decode(kTokenA, &error);
  EXPECT_EQ(again.get(), first.get()) << "decoded once";
  EXPECT_EQ(cache.size(), 1u);
}

TEST(DecodedTokens, AnyOtherByteIsAnotherToken) {
  DecodedTokens cache;
  TokenDecodeError error{};
  const auto a = cache.decode(kTokenA, &error);
  const auto b = cache.decode(kTokenB, &error);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->claims.at("iss").as_string(), "b");
  EXPECT_EQ(cache.size(), 2u);
}

TEST(DecodedTokens, TokensThatDoNotDecodeAreRefusedEveryTimeAndNotKept) {
  DecodedTokens cache;
  for (int i = 0; i < 2; ++i) {
    TokenDecodeError error{};
    EXPECT_EQ(cache.decode(kHeader + ".bm90IGpzb24.c2ln", &error), nullptr);  // "not json"
    EXPECT_EQ(error.kind, TokenDecodeError::Kind::bad_token);
    EXPECT_EQ(error.reason, "invalid JSON");
  }
  EXPECT_EQ(cache.size(), 0u);
}

TEST(DecodedTokens, StaysBoundedAndWhatIsHeldOutlivesForgetting) {
  DecodedTokens cache(2);
  TokenDecodeError error{};
  const auto held = cache.decode(kTokenA, &error);
  cache.decode(kTokenB, &error);
  EXPECT_EQ(cache.size(), 2u);
  cache.decode(kHeader + ".eyJpc3MiOiJjIn0.c2ln", &error);
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_EQ(held->claims.at("iss").as_string(), "a");
}
