#include "gateway/plugins/jwt/token_sources.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::jwt {
namespace {

Request with_headers(std::vector<Header> headers, std::string query = "") {
  return Request{"GET", "/", std::move(query), std::move(headers), "", ""};
}

TEST(JwtBearerToken, FollowsKongsRegex) {
  EXPECT_EQ(bearer_token("Bearer abc"), "abc");
  EXPECT_EQ(bearer_token("bearer abc"), "abc");
  EXPECT_EQ(bearer_token("  Bearer \t abc def"), "abc def");
  EXPECT_EQ(bearer_token("Token x, Bearer abc"), "abc");  // unanchored
  EXPECT_EQ(bearer_token("xbearer abc"), "abc");
  EXPECT_FALSE(bearer_token("BEARER abc"));
  EXPECT_FALSE(bearer_token("Bearerabc"));
  EXPECT_FALSE(bearer_token("Bearer"));
  EXPECT_FALSE(bearer_token("Bearer "));
  EXPECT_EQ(bearer_token("Bearer  "), " ");  // (.+) backtracks into the whitespace
  EXPECT_EQ(bearer_token("Bearer: Bearer abc"), "abc");
}

TEST(JwtFindCookie, MatchesNginxCookieVariable) {
  Request r = with_headers({{"Cookie", "a=1; JWT = tok ;c=3"}, {"cookie", "jwt=second"}});
  EXPECT_EQ(find_cookie(r, "jwt"), "tok ");
  EXPECT_EQ(find_cookie(r, "c"), "3");
  EXPECT_FALSE(find_cookie(r, "b"));
  EXPECT_EQ(find_cookie(with_headers({{"Cookie", "jwtx=1; jwt=2"}}), "jwt"), "2");
  EXPECT_EQ(find_cookie(with_headers({{"Cookie", "x=1, jwt=2"}}), "jwt"), "2");
  EXPECT_EQ(find_cookie(with_headers({{"Cookie", "a=1"}, {"Cookie", "jwt=2"}}), "jwt"), "2");
}

TEST(JwtRetrieveToken, HeaderLookupIsCaseAndUnderscoreInsensitive) {
  Config c;
  c.header_names = {"X_Api_Token"};
  const Request request = with_headers({{"x-api-token", "Bearer t1"}});
  RetrievedToken t = retrieve_token(c, request);  // its token is a view into `request`
  EXPECT_EQ(t.kind, RetrievedToken::Kind::one);
  EXPECT_EQ(t.token(), "t1");
}

TEST(JwtRetrieveToken, OnlyTheFirstOfARepeatedHeaderCounts) {
  RetrievedToken t = retrieve_token(
      Config{}, with_headers({{"Authorization", "Basic xyz"}, {"Authorization", "Bearer t1"}}));
  EXPECT_EQ(t.kind, RetrievedToken::Kind::none);
}

TEST(JwtRetrieveToken, CollectsADistinctSet) {
  Config c;
  c.uri_param_names = {"jwt", "token"};
  c.cookie_names = {"jwt"};
  EXPECT_EQ(retrieve_token(c, with_headers({{"Cookie", "jwt=t"}, {"Authorization", "Bearer t"}},
                                           "jwt=t&token=t"))
                .kind,
            RetrievedToken::Kind::one);
  EXPECT_EQ(retrieve_token(c, with_headers({}, "jwt=t&token=u")).kind,
            RetrievedToken::Kind::multiple);
  EXPECT_EQ(retrieve_token(c, with_headers({{"Cookie", "jwt=u"}}, "jwt=t")).kind,
            RetrievedToken::Kind::multiple);
}

TEST(JwtRetrieveToken, EmptyValuesAreSkipped) {
  Config c;
  c.cookie_names = {"jwt"};
  EXPECT_EQ(retrieve_token(c, with_headers({{"Cookie", "jwt="}}, "jwt=")).kind,
            RetrievedToken::Kind::none);
}

TEST(JwtRetrieveToken, BareQueryKeyIsUnrecognizableUnlessThereIsMore) {
  EXPECT_EQ(retrieve_token(Config{}, with_headers({}, "jwt")).kind,
            RetrievedToken::Kind::unrecognizable);
  EXPECT_EQ(retrieve_token(Config{}, with_headers({}, "jwt&jwt=t")).kind,
            RetrievedToken::Kind::multiple);
}

TEST(JwtRetrieveToken, QueryTokenIsPercentDecoded) {
  RetrievedToken t = retrieve_token(Config{}, with_headers({}, "jwt=a%2Eb.c"));
  EXPECT_EQ(t.token(), "a.b.c");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
