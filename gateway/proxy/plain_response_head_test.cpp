#include "gateway/proxy/plain_response_head.hpp"

#include <gtest/gtest.h>

#include <string>

namespace bazaar::gateway::proxy {
namespace {

std::optional<PlainResponseHead> parse(const std::string& text, bool head_request = false) {
  return parse_plain_response_head(text, head_request);
}

TEST(PlainResponseHead, ReadsStatusFieldsAndLength) {
  const std::string text =
      "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type:  application/json \t\r\n"
      "Content-Length: 17\r\nConnection: keep-alive\r\nX-Empty:\r\n\r\n";
  const auto head = parse(text);
  ASSERT_TRUE(head);
  EXPECT_EQ(head->version, 11);
  EXPECT_EQ(head->status, 200);
  EXPECT_EQ(head->reason, "OK");
  ASSERT_EQ(head->fields.size(), 5u);
  EXPECT_EQ(head->fields[0].first, "Server");
  EXPECT_EQ(head->fields[1].second, "application/json");
  EXPECT_EQ(head->fields[4].first, "X-Empty");
  EXPECT_EQ(head->fields[4].second, "");
  EXPECT_EQ(head->content_length, 17u);
  EXPECT_TRUE(head->has_body);
  EXPECT_TRUE(head->keep_alive);
  EXPECT_EQ(head->head_length, text.size());
}

TEST(PlainResponseHead, KeepAliveFollowsVersionAndConnection) {
  EXPECT_FALSE(
      parse("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n")->keep_alive);
  EXPECT_TRUE(
      parse("HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\nContent-Length: 0\r\n\r\n")->keep_alive);
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nProxy-Connection: x, close\r\nContent-Length: 0\r\n\r\n")
                   ->keep_alive);
}

TEST(PlainResponseHead, BodilessAnswers) {
  const auto no_content = parse("HTTP/1.1 204 No Content\r\n\r\n");
  ASSERT_TRUE(no_content);
  EXPECT_FALSE(no_content->has_body);
  const auto to_head = parse("HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", true);
  ASSERT_TRUE(to_head);
  EXPECT_FALSE(to_head->has_body);
  EXPECT_EQ(to_head->content_length, 99u);
  EXPECT_TRUE(parse("HTTP/1.1 100 Continue\r\n\r\n"));
  EXPECT_TRUE(parse("HTTP/1.1 304 \r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")->has_body);
}

TEST(PlainResponseHead, LeavesOtherFramingToBeast) {
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\n\r\n"));  // close-delimited
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1, 1\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nConnection: close,,\r\nContent-Length: 0\r\n\r\n"));
}

TEST(PlainResponseHead, LeavesWhatBeastWouldRefuseToBeast) {
  EXPECT_FALSE(parse("HTTP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 20 OK\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 099 Low\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 O\x01K\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nBad Name: x\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\n: x\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nX-Value: a\x7f\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nX-Value: a\nb\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nX-Folded: a\r\n b\r\nContent-Length: 0\r\n\r\n"));
  EXPECT_FALSE(parse("HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n"));
}

TEST(PlainResponseHead, FindsAControlCharacterAnywhereInALongValue) {
  const std::string value(40, 'v');
  for (std::size_t at = 0; at < value.size(); ++at) {
    for (char control : {'\x00', '\x1f', '\x7f', '\n'}) {
      std::string bad = value;
      bad[at] = control;
      EXPECT_FALSE(parse("HTTP/1.1 200 OK\r\nX-Long: " + bad + "\r\nContent-Length: 0\r\n\r\n"))
          << at << " " << int(control);
    }
    std::string tabbed = value;
    tabbed[at] = '\t';
    EXPECT_TRUE(parse("HTTP/1.1 200 OK\r\nX-Long: " + tabbed + "\r\nContent-Length: 0\r\n\r\n"));
  }
}

TEST(PlainResponseHead, KeepsObsTextAndTabsInValues) {
  const std::string text =
      "HTTP/1.1 200 \xc3\xa9t\xc3\xa9\r\nX-Text: a\tb \xff\r\nContent-Length: 0\r\n\r\n";
  const auto head = parse(text);  // views into `text`
  ASSERT_TRUE(head);
  EXPECT_EQ(head->reason, "\xc3\xa9t\xc3\xa9");
  EXPECT_EQ(head->fields[0].second, "a\tb \xff");
}

}  // namespace
}  // namespace bazaar::gateway::proxy
