#include "chassis/pg/result.hpp"

#include <gtest/gtest.h>

using bazaar::pg::array_literal;

TEST(ArrayLiteral, IsPostgresTextFormOfAnArray) {
  EXPECT_EQ(array_literal({}), "{}");
  EXPECT_EQ(array_literal({"7"}), "{7}");
  EXPECT_EQ(array_literal({"1", "22", "333"}), "{1,22,333}");
}
