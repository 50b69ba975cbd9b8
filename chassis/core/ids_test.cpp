#include "chassis/core/ids.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace bazaar::ids;

TEST(Ids, UuidV4IsCanonicalAndVersioned) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = uuid_v4();
    ASSERT_TRUE(is_uuid(u)) << u;
    EXPECT_EQ(u[14], '4');
    EXPECT_NE(std::string("89ab").find(u[19]), std::string::npos);
    seen.insert(u);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(Ids, IsUuidRejectsOtherShapes) {
  EXPECT_TRUE(is_uuid("123E4567-e89b-12d3-a456-426614174000"));
  EXPECT_FALSE(is_uuid(""));
  EXPECT_FALSE(is_uuid("not-a-uuid"));
  EXPECT_FALSE(is_uuid("123e4567e89b12d3a456426614174000"));
  EXPECT_FALSE(is_uuid("123e4567-e89b-12d3-a456-42661417400g"));
  EXPECT_FALSE(is_uuid("'; DROP TABLE users; --aaaaaaaaaaaaaaaa"));
}

TEST(Ids, RandomHexHasTheAskedLength) {
  EXPECT_EQ(random_hex(16).size(), 32u);
  EXPECT_EQ(random_hex(8).size(), 16u);
  EXPECT_NE(random_hex(16), random_hex(16));
}

TEST(Ids, RandomHexUsesEveryLowerCaseDigitAndNothingElse) {
  std::string seen;
  for (int i = 0; i < 64; ++i) seen += random_hex(i % 2 == 0 ? 16 : 3);
  for (char c : seen)
    EXPECT_NE(std::string_view("0123456789abcdef").find(c), std::string_view::npos) << c;
  for (char c : std::string_view("0123456789abcdef"))
    EXPECT_NE(seen.find(c), std::string::npos) << c;
}
