#include "chassis/http/message.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace bazaar::http;

TEST(Message, QueryParamIsDecoded) {
  Request r;
  r.query = "limit=10&cursor=a%2Fb&name=J%C3%BCrgen&empty";
  EXPECT_EQ(r.query_param("limit"), "10");
  EXPECT_EQ(r.query_param("cursor"), "a/b");
  EXPECT_EQ(r.query_param("name"), "J\xC3\xBCrgen");
  EXPECT_EQ(r.query_param("empty"), "");
  EXPECT_FALSE(r.query_param("missing"));
}

TEST(Message, HeadersAreCaseInsensitive) {
  Request r;
  r.headers = {{"Content-Type", "application/json"}, {"X-Request-ID", "abc"}};
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.header("x-request-id"), "abc");
  EXPECT_EQ(r.header("missing"), "");
}

TEST(Message, ProblemIsRfc9457) {
  auto p = problem(422, "invalid fields", {{"errors", boost::json::array{"x"}}});
  EXPECT_EQ(p.status, 422);
  EXPECT_EQ(p.content_type, "application/problem+json");
  auto v = boost::json::parse(p.body).as_object();
  EXPECT_EQ(v.at("status").as_int64(), 422);
  EXPECT_EQ(v.at("title").as_string(), "Unprocessable Content");
  EXPECT_EQ(v.at("detail").as_string(), "invalid fields");
  EXPECT_EQ(v.at("type").as_string(), "about:blank");
  EXPECT_TRUE(v.at("errors").is_array());
}
