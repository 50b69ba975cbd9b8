#include "gateway/plugins/request_transformer/template.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::request_transformer {
namespace {

Template compile(std::string_view source) {
  auto compiled = Template::compile(source);
  if (auto* error = std::get_if<std::string>(&compiled)) {
    ADD_FAILURE() << source << ": " << *error;
    return {};
  }
  return std::get<Template>(std::move(compiled));
}

std::string compile_error(std::string_view source) {
  auto compiled = Template::compile(source);
  auto* error = std::get_if<std::string>(&compiled);
  return error ? *error : "(compiled)";
}

class TemplateTest : public ::testing::Test {
 protected:
  TemplateTest() {
    context_.headers = {
        {"X-Api-Key", "k1"}, {"Host", "shop.test"}, {"x-api-key", "k2"}, {"Empty", ""}};
    context_.query_params = decode_args("page=2&flag&page-size=50&tag=a&tag=b");
    context_.uri_captures.positional = {"/users/42/orders", "42", std::nullopt};
    context_.uri_captures.named = {{"user", "42"}};
    context_.consumer = &consumer_;
  }

  std::string render(std::string_view source) { return compile(source).render(context_); }

  const Consumer consumer_{"c-1", "alice", "ext-9"};
  TemplateContext context_;
};

TEST_F(TemplateTest, PlainTextIsUnchanged) {
  EXPECT_EQ(render("plain value"), "plain value");
  EXPECT_EQ(render(""), "");
  EXPECT_EQ(render("cost: $5 (approx)"), "cost: $5 (approx)");
  EXPECT_EQ(render("#value_with_hash"), "#value_with_hash");  // '#' lines are disabled
}

TEST_F(TemplateTest, HeadersAreCaseInsensitiveAndUnderscoresMatchDashes) {
  EXPECT_EQ(render("$(headers.host)"), "shop.test");
  EXPECT_EQ(render("$(headers[\"x-api-key\"])"), "k1");  // first occurrence
  EXPECT_EQ(render("$(headers['X-API-KEY'])"), "k1");
  EXPECT_EQ(render("$(headers.x_api_key)"), "k1");
  EXPECT_EQ(render("$(headers.empty)"), "");
}

TEST_F(TemplateTest, QueryParams) {
  EXPECT_EQ(render("$(query_params.page)"), "2");
  EXPECT_EQ(render("$(query_params[\"page-size\"])"), "50");
  EXPECT_EQ(render("$(query_params.flag)"), "true");  // Lua tostring(true)
  EXPECT_EQ(render("$(query_params.tag)"), "a");
  EXPECT_EQ(render("$(query_params.Page)"), "");  // case-sensitive
}

TEST_F(TemplateTest, UriCapturesByNameAndPosition) {
  EXPECT_EQ(render("/v2/users/$(uri_captures.user)"), "/v2/users/42");
  EXPECT_EQ(render("$(uri_captures['user'])"), "42");
  EXPECT_EQ(render("$(uri_captures[1])"), "42");
  EXPECT_EQ(render("/requests$(uri_captures[0])"), "/requests/users/42/orders");
  EXPECT_EQ(render("[$(uri_captures[2])]"), "[]");  // group that did not take part
  EXPECT_EQ(render("[$(uri_captures[9])]"), "[]");
}

TEST_F(TemplateTest, Consumer) {
  EXPECT_EQ(render("$(consumer.id)"), "c-1");
  EXPECT_EQ(render("$(consumer.username)"), "alice");
  EXPECT_EQ(render("$(consumer.custom_id)"), "ext-9");
  context_.consumer = nullptr;
  EXPECT_EQ(render("[$(consumer.id)]"), "[]");
}

TEST_F(TemplateTest, AbsentValuesRenderEmpty) {
  EXPECT_EQ(render("a$(headers.missing)b"), "ab");
  EXPECT_EQ(render("$(query_params.missing)"), "");
  EXPECT_EQ(render("$(uri_captures.missing)"), "");
}

TEST_F(TemplateTest, OrTakesTheFirstPresentValue) {
  EXPECT_EQ(render("$(uri_captures.nobody or 'default1')"), "default1");
  EXPECT_EQ(render("$(uri_captures.user or 'default1')"), "42");
  EXPECT_EQ(render("$(headers.empty or 'x')"), "");  // "" is truthy in Lua
  EXPECT_EQ(render("$(headers.a or headers.b or query_params.page)"), "2");
}

TEST_F(TemplateTest, StringLiteralsEscapeTemplates) {
  EXPECT_EQ(render("$('$(uri_captures.user1)')"), "$(uri_captures.user1)");
  EXPECT_EQ(render("$(\"it's\")"), "it's");
}

TEST_F(TemplateTest, SeveralExpressionsAndText) {
  EXPECT_EQ(render("$(consumer.username)@$(headers.host):$(query_params.page)"),
            "alice@shop.test:2");
}

TEST_F(TemplateTest, UnbalancedParenthesisIsText) {
  EXPECT_EQ(render("$(headers.host"), "$(headers.host");
}

TEST(TemplateCompileTest, UnsupportedExpressionsAreRejected) {
  EXPECT_EQ(compile_error("$(ERROR())"),
            "unsupported name 'ERROR' (use headers, query_params, "
            "uri_captures or consumer)");
  EXPECT_NE(compile_error("$(10 * uri_captures.user1)"), "(compiled)");
  EXPECT_NE(compile_error("$(type(headers.x))"), "(compiled)");
  EXPECT_NE(compile_error("$(shared.written = true)"), "(compiled)");
  EXPECT_EQ(compile_error("$(headers)"), "'headers' needs a field, as in headers.name");
  EXPECT_EQ(compile_error("$(consumer.secret)"), "consumer has only id, username and custom_id");
  EXPECT_NE(compile_error("$(headers['x)"), "(compiled)");
  EXPECT_NE(compile_error("$(headers.x or)"), "(compiled)");
  EXPECT_NE(compile_error("$()"), "(compiled)");
}

}  // namespace
}  // namespace bazaar::gateway::request_transformer
