#include "gateway/plugins/jwt/verified_signatures.hpp"

#include <gtest/gtest.h>

using bazaar::gateway::jwt::VerifiedSignatures;

TEST(VerifiedSignatures, RemembersExactlyWhatWasVerifiedByWhichKey) {
  VerifiedSignatures cache;
  cache.remember(1, "header.claims", "sig");
  EXPECT_TRUE(cache.contains(1, "header.claims", "sig"));
  EXPECT_FALSE(cache.contains(2, "header.claims", "sig")) << "another key";
  EXPECT_FALSE(cache.contains(1, "header.claimz", "sig")) << "a tampered payload";
  EXPECT_FALSE(cache.contains(1, "header.claims", "sif")) << "a tampered signature";
  EXPECT_FALSE(cache.contains(1, "header.claims.", "sig")) << "the boundary moved";
}

TEST(VerifiedSignatures, ForgetsEverythingWhenFullAndStaysBounded) {
  VerifiedSignatures cache(3);
  for (int i = 0; i < 3; ++i) cache.remember(1, "h.c" + std::to_string(i), "s");
  EXPECT_EQ(cache.size(), 3u);
  cache.remember(1, "h.c3", "s");
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.contains(1, "h.c3", "s"));
  EXPECT_FALSE(cache.contains(1, "h.c0", "s"));
}
