#include "chassis/auth/base64url.hpp"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace bazaar::auth {
namespace {

// RFC 4648 §10 test vectors, minus the '=' padding that base64url in JOSE omits.
const std::vector<std::pair<std::string, std::string>> kRfc4648 = {
    {"", ""},           {"f", "Zg"},          {"fo", "Zm8"},          {"foo", "Zm9v"},
    {"foob", "Zm9vYg"}, {"fooba", "Zm9vYmE"}, {"foobar", "Zm9vYmFy"},
};

TEST(Base64Url, Rfc4648VectorsRoundTrip) {
  for (const auto& [plain, encoded] : kRfc4648) {
    EXPECT_EQ(base64url_encode(plain), encoded) << plain;
    auto decoded = base64url_decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(*decoded, plain);
  }
}

TEST(Base64Url, UsesUrlSafeAlphabet) {
  // Standard base64 of these bytes is "+/+/"; the URL-safe alphabet swaps in '-' and '_'.
  const std::string bytes = "\xfb\xff\xbf";
  EXPECT_EQ(base64url_encode(bytes), "-_-_");
  EXPECT_EQ(base64url_decode("-_-_"), bytes);
}

TEST(Base64Url, RoundTripsEveryByteAndLength) {
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  for (std::size_t len = 0; len <= all.size(); ++len) {
    std::string in = all.substr(all.size() - len);
    std::string enc = base64url_encode(in);
    EXPECT_EQ(enc.find('='), std::string::npos);
    EXPECT_EQ(base64url_decode(enc), in) << "length " << len;
  }
}

TEST(Base64Url, RejectsPadding) {
  EXPECT_FALSE(base64url_decode("Zg==").has_value());
  EXPECT_FALSE(base64url_decode("Zm8=").has_value());
}

TEST(Base64Url, RejectsInvalidCharacters) {
  for (std::string bad : {"Zm9+", "Zm9/", "Zm 9v", "Zm9v\n", "Zm9v!", "Zm\xc3\xa9v"}) {
    EXPECT_FALSE(base64url_decode(bad).has_value()) << bad;
  }
  EXPECT_FALSE(base64url_decode(std::string("Zm\0v", 4)).has_value());
}

TEST(Base64Url, RejectsImpossibleLengths) {
  EXPECT_FALSE(base64url_decode("Z").has_value());
  EXPECT_FALSE(base64url_decode("Zm9vY").has_value());
}

TEST(Base64Url, RejectsNonZeroTrailingBits) {
  // "Zg" is the canonical encoding of "f"; "Zh" carries the same byte plus a stray bit.
  EXPECT_FALSE(base64url_decode("Zh").has_value());
  EXPECT_FALSE(base64url_decode("Zm9").has_value());
  EXPECT_TRUE(base64url_decode("Zm8").has_value());
}

}  // namespace
}  // namespace bazaar::auth
