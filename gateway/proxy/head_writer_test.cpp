#include "gateway/proxy/head_writer.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::proxy {
namespace {

TEST(HeadWriter, WritesPiecesAndFieldsInOrder) {
  HeadWriter head(64);
  head.add("GET / HTTP/1.1\r\n").field("Host", "example.test").field("X-Empty", "").add('\r');
  head.add('\n');
  EXPECT_EQ(head.view(), "GET / HTTP/1.1\r\nHost: example.test\r\nX-Empty: \r\n\r\n");
  EXPECT_EQ(head.take(), "GET / HTTP/1.1\r\nHost: example.test\r\nX-Empty: \r\n\r\n");
}

TEST(HeadWriter, GrowsBeyondTheExpectedSize) {
  HeadWriter head(4);
  const std::string long_value(1000, 'v');
  head.add("HTTP/1.1 200 OK\r\n").field("X-Long", long_value).field("A", "b");
  EXPECT_EQ(head.take(), "HTTP/1.1 200 OK\r\nX-Long: " + long_value + "\r\nA: b\r\n");
}

TEST(HeadWriter, StartsWithNothingWritten) {
  HeadWriter head(0);
  EXPECT_EQ(head.view(), "");
  head.add("");
  EXPECT_EQ(head.take(), "");
}

}  // namespace
}  // namespace bazaar::gateway::proxy
