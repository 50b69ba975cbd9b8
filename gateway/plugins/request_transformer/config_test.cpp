#include "gateway/plugins/request_transformer/config.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bazaar::gateway::request_transformer {
namespace {

std::variant<Config, FieldErrors> parse(std::string_view text) {
  return parse_config(boost::json::parse(text).as_object());
}

Config parse_ok(std::string_view text) {
  auto result = parse(text);
  if (auto* errors = std::get_if<FieldErrors>(&result)) {
    for (const auto& error : *errors) ADD_FAILURE() << error.field << ": " << error.reason;
    return {};
  }
  return std::get<Config>(std::move(result));
}

std::string first_error(std::string_view text) {
  auto result = parse(text);
  auto* errors = std::get_if<FieldErrors>(&result);
  if (errors == nullptr || errors->empty()) return "(accepted)";
  return errors->front().field + ": " + errors->front().reason;
}

TEST(RequestTransformerConfigTest, EmptyConfigDoesNothing) {
  const Config config = parse_ok("{}");
  EXPECT_FALSE(config.http_method);
  EXPECT_FALSE(config.replace_uri);
  EXPECT_TRUE(config.add.headers.empty());
}

TEST(RequestTransformerConfigTest, ReadsEveryOperation) {
  const Config config = parse_ok(R"({
    "http_method": "POST",
    "remove":  {"headers": ["x-a"], "querystring": ["q"], "body": ["b"]},
    "rename":  {"headers": ["x-old:x-new"], "querystring": ["o:n"], "body": ["o:n"]},
    "replace": {"headers": ["h:v"], "querystring": ["q:v"], "body": ["b:v"], "uri": "/new"},
    "add":     {"headers": ["h2:value:2"], "querystring": ["q:v"], "body": ["b:v"]},
    "append":  {"headers": ["h:v"], "querystring": ["q:v"], "body": ["b:v"]}})");
  EXPECT_EQ(config.http_method, "POST");
  EXPECT_EQ(config.remove.headers.at(0).name, "x-a");
  EXPECT_EQ(config.rename.headers.at(0).value.source(), "x-new");
  ASSERT_TRUE(config.replace_uri);
  EXPECT_EQ(config.replace_uri->source(), "/new");
  EXPECT_EQ(config.add.headers.at(0).name, "h2");
  EXPECT_EQ(config.add.headers.at(0).value.source(), "value:2");  // split at the first ':'
  EXPECT_EQ(config.append.body.at(0).name, "b");
}

TEST(RequestTransformerConfigTest, ColonsAfterTheFirstAreSkipped) {
  EXPECT_EQ(parse_ok(R"({"add": {"body": ["a::b"]}})").add.body.at(0).value.source(), "b");
}

TEST(RequestTransformerConfigTest, RemoveIgnoresAnyValue) {
  const Config config = parse_ok(R"({"remove": {"headers": ["x-a:whatever"]}})");
  EXPECT_EQ(config.remove.headers.at(0).name, "x-a");
}

TEST(RequestTransformerConfigTest, ValuesAreRequiredOutsideHeaders) {
  EXPECT_EQ(first_error(R"({"add": {"querystring": ["q1"]}})"),
            "add.querystring[1]: key 'q1' has no value");
  EXPECT_EQ(first_error(R"({"replace": {"body": ["p:v", "p2:"]}})"),
            "replace.body[2]: key 'p2' has no value");
  EXPECT_EQ(first_error(R"({"rename": {"querystring": ["only"]}})"),
            "rename.querystring[1]: key 'only' has no value");
}

TEST(RequestTransformerConfigTest, HeaderEntriesNeedAColonAndValidNames) {
  EXPECT_EQ(first_error(R"({"add": {"headers": ["x-no-colon"]}})"),
            "add.headers[1]: invalid value: x-no-colon");
  parse_ok(R"({"add": {"headers": ["x-empty:"]}})");  // allowed by Kong, does nothing
  EXPECT_EQ(first_error(R"({"remove": {"headers": ["bad header"]}})"),
            "remove.headers[1]: 'bad header' is not a valid header");
  EXPECT_EQ(first_error(R"({"rename": {"headers": ["x-a:bad name"]}})"),
            "rename.headers[1]: 'bad name' is not a valid header");
  EXPECT_EQ(first_error(R"({"add": {"headers": [":v"]}})"),
            "add.headers[1]: ':v' has no name before ':'");
}

TEST(RequestTransformerConfigTest, TemplatesAreCheckedUpFront) {
  EXPECT_EQ(first_error(R"j({"add": {"querystring": ["q:$(ERROR())"]}})j"),
            "add.querystring[1]: value '$(ERROR())' is not in supported format, "
            "error:unsupported name 'ERROR' (use headers, query_params, uri_captures or consumer)");
  EXPECT_NE(first_error(R"j({"replace": {"uri": "/u/$(10 * uri_captures.id)"}})j"), "(accepted)");
  parse_ok(R"j({"add": {"headers": ["X-Consumer-ID:$(consumer.id)"]}})j");
}

TEST(RequestTransformerConfigTest, HttpMethodMustBeUpperCaseLetters) {
  EXPECT_EQ(first_error(R"({"http_method": "post"})"),
            "http_method: invalid value: expected an upper-case method such as POST");
  EXPECT_NE(first_error(R"({"http_method": 5})"), "(accepted)");
  parse_ok(R"({"http_method": "PURGE"})");
}

TEST(RequestTransformerConfigTest, UnknownFieldsAndWrongShapes) {
  EXPECT_EQ(first_error(R"({"add": {"header": ["a:b"]}})"), "add.header: unknown field");
  EXPECT_EQ(first_error(R"({"add": {"uri": "/x"}})"), "add.uri: unknown field");
  EXPECT_EQ(first_error(R"({"prepend": {}})"), "prepend: unknown field");
  EXPECT_EQ(first_error(R"({"add": ["a:b"]})"), "add: expected a record");
  EXPECT_EQ(first_error(R"({"add": {"headers": "a:b"}})"), "add.headers: expected an array");
  EXPECT_EQ(first_error(R"({"add": {"headers": [1]}})"), "add.headers[1]: expected a string");
}

TEST(RequestTransformerConfigTest, AppendingToHostIsRefused) {
  EXPECT_EQ(first_error(R"({"append": {"headers": ["Host:x"]}})"),
            "append.headers[1]: cannot append to host; use replace.headers");
}

}  // namespace
}  // namespace bazaar::gateway::request_transformer
