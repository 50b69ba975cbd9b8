#include "chassis/http/router.hpp"

#include <gtest/gtest.h>

using namespace bazaar::http;

namespace {
Task<Response> ok(Request) { co_return Response::empty(204); }

Router sample() {
  Router r;
  r.add("GET", "/users/{id}", ok);
  r.add("PATCH", "/users/{id}", ok);
  r.add("GET", "/users", ok);
  r.add("POST", "/users", ok);
  r.add("GET", "/health/live", ok);
  return r;
}
}  // namespace

TEST(Router, MatchesTemplatesAndFillsParams) {
  auto r = sample();
  std::vector<std::pair<std::string, std::string>> params;
  auto m = r.match("GET", "/users/abc", params);
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(*m.route, "/users/{id}");
  ASSERT_EQ(params.size(), 1u);
  EXPECT_EQ(params[0].first, "id");
  EXPECT_EQ(params[0].second, "abc");
  EXPECT_EQ(r.match("GET", "/health/live", params).status, 200);
}

TEST(Router, WrongMethodIs405WithAllow) {
  auto r = sample();
  std::vector<std::pair<std::string, std::string>> params;
  auto m = r.match("DELETE", "/users/abc", params);
  EXPECT_EQ(m.status, 405);
  EXPECT_EQ(m.allow, "GET, PATCH");
  EXPECT_EQ(r.match("PUT", "/users", params).allow, "GET, POST");
}

TEST(Router, UnknownPathIs404) {
  auto r = sample();
  std::vector<std::pair<std::string, std::string>> params;
  EXPECT_EQ(r.match("GET", "/nope", params).status, 404);
  EXPECT_EQ(r.match("GET", "/users/a/b", params).status, 404);
  EXPECT_EQ(r.match("GET", "/users/", params).status, 404);  // empty placeholder
  EXPECT_EQ(r.match("GET", "/health", params).status, 404);
}
