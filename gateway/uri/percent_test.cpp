#include "gateway/uri/percent.hpp"

#include <gtest/gtest.h>

using namespace bazaar::gateway::uri;

TEST(EscapedByteAt, ReadsWellFormedEscapesOnly) {
  EXPECT_EQ(escaped_byte_at("a%2Fb", 1), '/');
  EXPECT_EQ(escaped_byte_at("%c3", 0), '\xC3');
  EXPECT_FALSE(escaped_byte_at("%zz", 0));
  EXPECT_FALSE(escaped_byte_at("%2", 0)) << "cut short";
  EXPECT_FALSE(escaped_byte_at("a%2F", 0)) << "not at a '%'";
}

TEST(PercentEncode, EncodesWhatIsNotKeptInUpperCaseHex) {
  auto alpha = [](char c) { return c >= 'a' && c <= 'z'; };
  EXPECT_EQ(percent_encode("ab c/\xC3\xA9", alpha), "ab%20c%2F%C3%A9");
}

TEST(FormDecode, PlusIsASpaceAndMalformedEscapesStay) {
  EXPECT_EQ(form_decode("a+b%20c%2b"), "a b c+");
  EXPECT_EQ(form_decode("100%zz%"), "100%zz%");
}
