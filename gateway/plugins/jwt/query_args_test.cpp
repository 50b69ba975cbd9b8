#include "gateway/plugins/jwt/query_args.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

TEST(JwtQueryArgs, SplitsKeysAndValues) {
  auto args = parse_query_args("a=1&b=x=y&flag&c=");
  ASSERT_EQ(args.size(), 4u);
  EXPECT_EQ(args[0].key, "a");
  EXPECT_EQ(args[0].value, "1");
  EXPECT_EQ(args[1].value, "x=y");  // split at the first '=' only
  EXPECT_EQ(args[2].key, "flag");
  EXPECT_FALSE(args[2].value);  // Lua `true`
  EXPECT_EQ(args[3].value, "");
}

TEST(JwtQueryArgs, DropsEmptyKeys) {
  auto args = parse_query_args("&&=v&a=1&");
  ASSERT_EQ(args.size(), 1u);
  EXPECT_EQ(args[0].key, "a");
}

TEST(JwtQueryArgs, DecodesPercentAndPlus) {
  auto args = parse_query_args("j%77t=a%2Eb+c&bad=%zz%4");
  ASSERT_EQ(args.size(), 2u);
  EXPECT_EQ(args[0].key, "jwt");
  EXPECT_EQ(args[0].value, "a.b c");
  EXPECT_EQ(args[1].value, "%zz%4");
}

TEST(JwtQueryArgs, OnlyTheFirstHundredCount) {
  std::string query;
  for (int i = 0; i < 100; ++i) query += "k" + std::to_string(i) + "=v&";
  query += "jwt=late";
  auto args = parse_query_args(query);
  EXPECT_EQ(args.size(), 100u);
  EXPECT_EQ(args.back().key, "k99");
  EXPECT_EQ(parse_query_args(query, 101).back().key, "jwt");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
