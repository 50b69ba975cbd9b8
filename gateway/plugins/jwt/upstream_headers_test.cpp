#include "gateway/plugins/jwt/upstream_headers.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

TEST(JwtUpstreamHeaders, AuthenticatedConsumer) {
  const Consumer consumer{"c-1", "alice", "crm-7"};
  Authenticated a{&consumer, "cred-1", "key-1"};
  const HeaderChanges h = upstream_headers(a);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].name, "X-Consumer-ID");
  EXPECT_EQ(h[0].value, "c-1");
  EXPECT_EQ(h[1].name, "X-Consumer-Custom-ID");
  EXPECT_EQ(h[1].value, "crm-7");
  EXPECT_EQ(h[2].name, "X-Consumer-Username");
  EXPECT_EQ(h[2].value, "alice");
  EXPECT_EQ(h[3].name, "X-Credential-Identifier");
  EXPECT_EQ(h[3].value, "key-1");  // the credential's key, not its id
  EXPECT_EQ(h[4].name, "X-Anonymous-Consumer");
  EXPECT_FALSE(h[4].value);  // removed, so a client cannot claim it
}

TEST(JwtUpstreamHeaders, MissingConsumerFieldsAreCleared) {
  const Consumer consumer{"c-1", "", ""};
  Authenticated a{&consumer, "cred-1", "key-1"};
  const HeaderChanges h = upstream_headers(a);
  EXPECT_FALSE(h[1].value);
  EXPECT_FALSE(h[2].value);
}

TEST(JwtUpstreamHeaders, AnonymousConsumer) {
  const Consumer anonymous{"anon-id", "guest", ""};
  const HeaderChanges h = anonymous_upstream_headers(anonymous);
  ASSERT_EQ(h.size(), 5u);
  EXPECT_EQ(h[0].value, "anon-id");
  EXPECT_FALSE(h[1].value);
  EXPECT_EQ(h[2].value, "guest");
  EXPECT_EQ(h[3].name, "X-Credential-Identifier");
  EXPECT_FALSE(h[3].value);
  EXPECT_EQ(h[4].name, "X-Anonymous-Consumer");
  EXPECT_EQ(h[4].value, "true");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
