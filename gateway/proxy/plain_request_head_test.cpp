#include "gateway/proxy/plain_request_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bazaar::gateway::proxy {
namespace {

std::optional<PlainRequestHead> parse(const std::string& text) {
  return parse_plain_request_head(text);
}

TEST(PlainRequestHead, ReadsRequestLineAndFields) {
  const std::string text =
      "GET /a/b?x=1&y=%20 HTTP/1.1\r\nHost: example.test\r\nAuthorization: Bearer a.b.c  \r\n"
      "X-Empty:\r\n\r\n";
  const auto head = parse(text);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->method, "GET");
  EXPECT_EQ(head->target, "/a/b?x=1&y=%20");
  EXPECT_EQ(head->version, 11u);
  ASSERT_EQ(head->fields.size(), 3u);
  EXPECT_EQ(head->fields[0].first, "Host");
  EXPECT_EQ(head->fields[1].second, "Bearer a.b.c");
  EXPECT_EQ(head->fields[2].second, "");
  EXPECT_TRUE(head->keep_alive);
}

TEST(PlainRequestHead, KeepAliveAsBeastsMessageReadsIt) {
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse("GET / HTTP/1.0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")->keep_alive);
  // Only the first Connection field counts, and Proxy-Connection not at all.
  EXPECT_TRUE(parse("GET / HTTP/1.1\r\nConnection: x\r\nConnection: close\r\n\r\n")->keep_alive);
  EXPECT_TRUE(parse("GET / HTTP/1.1\r\nProxy-Connection: close\r\n\r\n")->keep_alive);
}

TEST(PlainRequestHead, LeavesBodiesAndUpgradesToBeast) {
  EXPECT_FALSE(parse("POST / HTTP/1.1\r\nContent-Length: 3\r\n\r\n"));
  EXPECT_FALSE(parse("POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: upgrade\r\n\r\n"));
}

TEST(PlainRequestHead, LeavesWhatBeastWouldRefuseToBeast) {
  EXPECT_FALSE(parse("GET  / HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1 \r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/2.0\r\n\r\n"));
  EXPECT_FALSE(parse("G(T / HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse("GET /a\x7f HTTP/1.1\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nBad Name: x\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nX: a\x01\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\nX: a\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nConnection: close,\r\n\r\n"));
  EXPECT_FALSE(parse("GET / HTTP/1.1\r\nX: a\r\n\r\nGET / HTTP/1.1\r\n\r\n"));
}

}  // namespace
}  // namespace bazaar::gateway::proxy
