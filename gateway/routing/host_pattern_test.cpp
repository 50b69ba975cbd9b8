#include "gateway/routing/host_pattern.hpp"

#include <gtest/gtest.h>

#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::routing {
namespace {

TEST(SplitHostPort, OnlyANumberIsAPort) {
  auto a = split_host_port("example.com:8080");
  EXPECT_EQ(a.host, "example.com");
  EXPECT_EQ(a.port, 8080);
  auto b = split_host_port("example.com");
  EXPECT_EQ(b.host, "example.com");
  EXPECT_FALSE(b.port);
  auto c = split_host_port("example.com:http");
  EXPECT_EQ(c.host, "example.com:http");
  EXPECT_FALSE(c.port);
}

TEST(HostPattern, ExactSuffixPrefixAndPort) {
  EXPECT_TRUE(HostPattern("a.com").matches("A.com", 80));
  EXPECT_FALSE(HostPattern("a.com").matches("b.a.com", 80));
  EXPECT_TRUE(HostPattern("*.a.com").matches("b.a.com", 80));
  EXPECT_FALSE(HostPattern("*.a.com").matches("a.com", 80));
  EXPECT_TRUE(HostPattern("a.*").matches("a.org", 80));
  EXPECT_FALSE(HostPattern("a.*").matches("b.a.org", 80));
  EXPECT_TRUE(HostPattern("a.com:8000").matches("a.com", 8000));
  EXPECT_FALSE(HostPattern("a.com:8000").matches("a.com", 80));
  EXPECT_TRUE(HostPattern("*.a.com:8000").matches("x.a.com", 8000));
  EXPECT_TRUE(HostPattern("*.a.com").is_wildcard());
  EXPECT_FALSE(HostPattern("a.com:1").is_wildcard());
}

TEST(EscapeUpstreamPath, KeepsReservedAndEscapesTheRest) {
  EXPECT_EQ(bazaar::gateway::uri::escape_path("/a-b_c.d~e/%2F:@!$&'()*+,;="),
            "/a-b_c.d~e/%2F:@!$&'()*+,;=");
  EXPECT_EQ(bazaar::gateway::uri::escape_path("/a b\"<>\\^`{|}"),
            "/a%20b%22%3C%3E%5C%5E%60%7B%7C%7D");
  EXPECT_EQ(bazaar::gateway::uri::escape_path("/caf\xC3\xA9"), "/caf%C3%A9");
}

}  // namespace
}  // namespace bazaar::gateway::routing
