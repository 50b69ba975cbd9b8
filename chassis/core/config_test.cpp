#include "chassis/core/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

using namespace bazaar::config;

TEST(Config, FallsBackWhenUnset) {
  ::unsetenv("BAZAAR_TEST_X");
  EXPECT_EQ(integer("BAZAAR_TEST_X", 7, 0, 10), 7);
  EXPECT_EQ(string("BAZAAR_TEST_X", "d"), "d");
  EXPECT_EQ(duration("BAZAAR_TEST_X", std::chrono::seconds(3)), std::chrono::seconds(3));
}

TEST(Config, ParsesTypedValues) {
  ::setenv("BAZAAR_TEST_X", "8081", 1);
  EXPECT_EQ(integer("BAZAAR_TEST_X", 1, 0, 65535), 8081);
  ::setenv("BAZAAR_TEST_X", "250ms", 1);
  EXPECT_EQ(duration("BAZAAR_TEST_X", {}), std::chrono::milliseconds(250));
  ::setenv("BAZAAR_TEST_X", "2m", 1);
  EXPECT_EQ(duration("BAZAAR_TEST_X", {}), std::chrono::minutes(2));
  ::setenv("BAZAAR_TEST_X", "336h", 1);
  EXPECT_EQ(duration("BAZAAR_TEST_X", {}), std::chrono::hours(336));
  ::setenv("BAZAAR_TEST_X", "yes", 1);
  EXPECT_TRUE(boolean("BAZAAR_TEST_X", false));
  ::unsetenv("BAZAAR_TEST_X");
}

TEST(Config, ErrorIsOneLineNamingTheVariable) {
  ::setenv("BAZAAR_TEST_PORT", "80a", 1);
  try {
    integer("BAZAAR_TEST_PORT", 1, 0, 65535);
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    std::string m = e.what();
    EXPECT_NE(m.find("BAZAAR_TEST_PORT"), std::string::npos);
    EXPECT_NE(m.find("'80a'"), std::string::npos);
    EXPECT_EQ(m.find('\n'), std::string::npos);
  }
  ::setenv("BAZAAR_TEST_PORT", "70000", 1);
  EXPECT_THROW(integer("BAZAAR_TEST_PORT", 1, 0, 65535), ConfigError);
  ::setenv("BAZAAR_TEST_PORT", "5d", 1);
  EXPECT_THROW(duration("BAZAAR_TEST_PORT", {}), ConfigError);
  ::unsetenv("BAZAAR_TEST_PORT");
  EXPECT_THROW(required_string("BAZAAR_TEST_PORT"), ConfigError);
}
