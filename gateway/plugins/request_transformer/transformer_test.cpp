#include "gateway/plugins/request_transformer/transformer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace bazaar::gateway::request_transformer {
namespace {

namespace json = boost::json;

Config config_from(std::string_view text) {
  auto result = parse_config(json::parse(text).as_object());
  if (auto* errors = std::get_if<FieldErrors>(&result)) {
    for (const auto& error : *errors) ADD_FAILURE() << error.field << ": " << error.reason;
    return {};
  }
  return std::get<Config>(std::move(result));
}

// All values of a header, case-insensitively, in order.
std::vector<std::string> values_of(const Request& request, std::string_view name) {
  std::vector<std::string> values;
  for (const Header& header : request.headers) {
    if (header.name.size() == name.size() &&
        std::equal(name.begin(), name.end(), header.name.begin(),
                   [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      values.push_back(header.value);
    }
  }
  return values;
}

using Values = std::vector<std::string>;

class TransformerTest : public ::testing::Test {
 protected:
  TransformerTest() {
    request_.method = "GET";
    request_.path = "/request";
    request_.headers = {{"Host", "test.test"}};
    request_.client_ip = "192.0.2.1";
  }

  Outcome run(std::string_view config_json) {
    const Config config = config_from(config_json);
    const TemplateContext context =
        make_context(config, request_, captures_, consumer_ ? &*consumer_ : nullptr);
    return apply(config, request_, context);
  }

  void json_body(std::string body) {
    request_.method = "POST";
    request_.headers.push_back({"Content-Type", "application/json"});
    request_.body = std::move(body);
  }

  void form_body(std::string body) {
    request_.method = "POST";
    request_.headers.push_back({"Content-Type", "application/x-www-form-urlencoded"});
    request_.body = std::move(body);
  }

  Request request_;
  UriCaptures captures_;
  std::optional<Consumer> consumer_;
};

// ---- headers -------------------------------------------------------------------------

TEST_F(TransformerTest, RemoveHeaderIgnoresCaseAndTakesEveryValue) {
  request_.headers.push_back({"x-to-remove", "1"});
  request_.headers.push_back({"X-TO-REMOVE", "2"});
  request_.headers.push_back({"x-another-header", "true"});
  run(R"({"remove": {"headers": ["X-To-Remove"]}})");
  EXPECT_TRUE(values_of(request_, "x-to-remove").empty());
  EXPECT_EQ(values_of(request_, "x-another-header"), Values{"true"});
}

TEST_F(TransformerTest, HostCannotBeRemoved) {
  run(R"({"remove": {"headers": ["host"]}})");
  EXPECT_EQ(values_of(request_, "host"), Values{"test.test"});
}

TEST_F(TransformerTest, RenameHeaderMovesItsValue) {
  request_.headers.push_back({"x-to-rename", "true"});
  request_.headers.push_back({"x-another-header", "true"});
  run(R"({"rename": {"headers": ["x-to-rename:x-is-renamed"]}})");
  EXPECT_TRUE(values_of(request_, "x-to-rename").empty());
  EXPECT_EQ(values_of(request_, "x-is-renamed"), Values{"true"});
  EXPECT_EQ(values_of(request_, "x-another-header"), Values{"true"});
}

TEST_F(TransformerTest, RenameOfAnAbsentHeaderAddsNothing) {
  request_.headers.push_back({"x-a-header", "true"});
  run(R"({"rename": {"headers": ["x-to-rename:x-is-renamed"]}})");
  EXPECT_TRUE(values_of(request_, "x-is-renamed").empty());
  EXPECT_EQ(values_of(request_, "x-a-header"), Values{"true"});
}

TEST_F(TransformerTest, RenameOverwritesTheTargetWhateverItsCase) {
  request_.headers.push_back({"X-Is-Renamed", "old-result"});
  request_.headers.push_back({"x-to-rename", "new-result"});
  run(R"({"rename": {"headers": ["x-to-rename:x-is-renamed"]}})");
  EXPECT_TRUE(values_of(request_, "x-to-rename").empty());
  EXPECT_EQ(values_of(request_, "x-is-renamed"), Values{"new-result"});
}

TEST_F(TransformerTest, RenameKeepsEveryValue) {
  request_.headers.push_back({"x-old", "1"});
  request_.headers.push_back({"x-old", "2"});
  run(R"({"rename": {"headers": ["X-Old:X-New"]}})");
  EXPECT_EQ(values_of(request_, "x-new"), (Values{"1", "2"}));
  EXPECT_EQ(request_.headers.back().name, "x-new");  // Kong writes it lower-cased
}

TEST_F(TransformerTest, RenameThatOnlyChangesCaseRespellsTheHeader) {
  request_.headers.push_back({"x-custom", "v"});
  run(R"({"rename": {"headers": ["x-custom:X-Custom"]}})");
  EXPECT_EQ(request_.headers.back().name, "X-Custom");
  EXPECT_EQ(request_.headers.back().value, "v");
}

TEST_F(TransformerTest, ReplaceHeaderOnlyWhenPresentKeepingTheClientsSpelling) {
  request_.headers.push_back({"x-to-replace", "true"});
  request_.headers.push_back({"X-To-Replace", "again"});
  run(R"({"replace": {"headers": ["x-to-Replace:false", "h1:v1"]}})");
  EXPECT_EQ(values_of(request_, "x-to-replace"), Values{"false"});
  EXPECT_EQ(request_.headers.back().name, "x-to-replace");
  EXPECT_TRUE(values_of(request_, "h1").empty());
}

TEST_F(TransformerTest, AddHeaderOnlyWhenAbsentWithTheConfiguredCase) {
  request_.headers.push_back({"x-added3", "c1"});
  run(R"({"add": {"headers": ["X-aDDed2:b1", "x-Added3:c2", "h2:value:2"]}})");
  EXPECT_EQ(values_of(request_, "x-added2"), Values{"b1"});
  EXPECT_EQ(values_of(request_, "x-added3"), Values{"c1"});
  EXPECT_EQ(values_of(request_, "h2"), Values{"value:2"});
  bool configured_case = false;
  for (const Header& header : request_.headers) configured_case |= header.name == "X-aDDed2";
  EXPECT_TRUE(configured_case);
}

TEST_F(TransformerTest, AddingHostChangesNothing) {
  const Outcome outcome = run(R"({"add": {"headers": ["host:mark"]}})");
  EXPECT_EQ(values_of(request_, "host"), Values{"test.test"});
  EXPECT_FALSE(outcome.upstream_host);
}

TEST_F(TransformerTest, AppendAddsValuesAsSeparateHeaders) {
  request_.headers.push_back({"X-addeD", "a0"});
  request_.headers.push_back({"other", "x"});
  run(R"({"append": {"headers": ["X-aDDed:a2", "X-aDDed:a3", "h2:v1", "h1:#value_with_hash"]}})");
  EXPECT_EQ(values_of(request_, "x-added"), (Values{"a0", "a2", "a3"}));
  EXPECT_EQ(values_of(request_, "h2"), Values{"v1"});
  EXPECT_EQ(values_of(request_, "h1"), Values{"#value_with_hash"});
  EXPECT_EQ(request_.headers[2].name, "X-aDDed");  // kept next to the existing value
}

TEST_F(TransformerTest, AppendAfterAddBuildsOnTheAddedHeader) {
  run(R"({"add": {"headers": ["x-added:a1"]}, "append": {"headers": ["x-added:a2", "x-added:a3"]}})");
  EXPECT_EQ(values_of(request_, "x-added"), (Values{"a1", "a2", "a3"}));
}

TEST_F(TransformerTest, RemoveThenAddReplacesAHeader) {
  // Kong regression test: remove and add of the same header, present or not.
  request_.headers.push_back({"Authorization", "Basic dGVzdDp0ZXN0"});
  run(R"({"remove": {"headers": ["Authorization"]}, "add": {"headers": ["Authorization:Basic test"]}})");
  EXPECT_EQ(values_of(request_, "authorization"), Values{"Basic test"});
  request_.headers = {{"Host", "test.test"}};
  run(R"({"remove": {"headers": ["Authorization"]}, "add": {"headers": ["Authorization:Basic test"]}})");
  EXPECT_EQ(values_of(request_, "authorization"), Values{"Basic test"});
}

TEST_F(TransformerTest, RenameBeforeAddDecidesWhetherAddApplies) {
  request_.headers.push_back({"x-old", "moved"});
  run(R"({"rename": {"headers": ["x-old:x-new"]},
          "add": {"headers": ["x-new:added", "x-old:re-added"]}})");
  EXPECT_EQ(values_of(request_, "x-new"), Values{"moved"});     // exists after the rename
  EXPECT_EQ(values_of(request_, "x-old"), Values{"re-added"});  // gone after the rename
}

TEST_F(TransformerTest, EmptyHeaderValueDoesNothing) {
  run(R"({"add": {"headers": ["x-empty:"]}, "replace": {"headers": ["host:"]}})");
  EXPECT_TRUE(values_of(request_, "x-empty").empty());
  EXPECT_EQ(values_of(request_, "host"), Values{"test.test"});
}

TEST_F(TransformerTest, ReplacingHostSetsTheUpstreamHost) {
  const Outcome outcome = run(R"({"replace": {"headers": ["Host:internal.svc"]}})");
  EXPECT_EQ(outcome.upstream_host, "internal.svc");
  EXPECT_EQ(values_of(request_, "host"), Values{"internal.svc"});
}

TEST_F(TransformerTest, ReplacingHostWorksEvenWithoutOne) {
  request_.headers.clear();
  const Outcome outcome = run(R"({"replace": {"headers": ["host:internal.svc"]}})");
  EXPECT_EQ(outcome.upstream_host, "internal.svc");
  EXPECT_EQ(values_of(request_, "host"), Values{"internal.svc"});
}

// ---- templates -----------------------------------------------------------------------

TEST_F(TransformerTest, GuideConsumerIdHeader) {
  consumer_ = Consumer{"8f2c-consumer", "alice", ""};
  run(R"j({"add": {"headers": ["X-Consumer-ID:$(consumer.id)",
                                "X-Consumer-Username:$(consumer.username)"]}})j");
  EXPECT_EQ(values_of(request_, "x-consumer-id"), Values{"8f2c-consumer"});
  EXPECT_EQ(values_of(request_, "x-consumer-username"), Values{"alice"});
}

TEST_F(TransformerTest, TemplatesSeeARemovedHeader) {
  request_.headers.push_back({"x-remove-header", "its a test"});
  request_.query = "q2=20";
  captures_.named = {{"user1", "foo"}};
  run(R"j({"remove": {"headers": ["x-remove-header"]},
           "replace": {"querystring": ["q2:$(headers['x-remove-header'])"]},
           "add": {"querystring": ["q1:$(uri_captures.user1)"],
                   "headers": ["x-test-header:$(headers['x-remove-header'])"]}})j");
  EXPECT_TRUE(values_of(request_, "x-remove-header").empty());
  EXPECT_EQ(values_of(request_, "x-test-header"), Values{"its a test"});
  EXPECT_EQ(request_.query, "q1=foo&q2=its%20a%20test");
}

TEST_F(TransformerTest, TemplatesSeeTheOldValueOfAReplacedHeader) {
  request_.headers.push_back({"x-replace-header", "the old value"});
  request_.query = "q2=20";
  run(R"j({"replace": {"querystring": ["q2:$(headers['x-replace-header'])"],
                       "headers": ["x-replace-header:the new value"]},
           "add": {"headers": ["x-test-header:$(headers['x-replace-header'])"]}})j");
  EXPECT_EQ(values_of(request_, "x-replace-header"), Values{"the new value"});
  EXPECT_EQ(values_of(request_, "x-test-header"), Values{"the old value"});
  EXPECT_EQ(request_.query, "q2=the%20old%20value");
}

TEST_F(TransformerTest, HeadersAndQueryFeedTemplates) {
  request_.query = "q1=20";
  captures_.named = {{"user1", "foo"}};
  run(R"j({"add": {"querystring": ["uri_param1:$(uri_captures.user1)", "uri_param2:$(headers.host)"],
                   "headers": ["x-test-header:$(query_params.q1)"]},
           "remove": {"querystring": ["q1"]}})j");
  EXPECT_EQ(request_.query, "uri_param1=foo&uri_param2=test.test");
  EXPECT_EQ(values_of(request_, "x-test-header"), Values{"20"});
}

TEST_F(TransformerTest, MissingTemplateValuesRenderEmptyOrTheDefault) {
  request_.query = "q1=20";
  run(R"j({"add": {"querystring": ["uri_param1:$(uri_captures.user1 or 'default1')",
                                   "uri_param2:[$(uri_captures.user2)]"]}})j");
  EXPECT_EQ(request_.query, "q1=20&uri_param1=default1&uri_param2=%5B%5D");
}

TEST_F(TransformerTest, EscapedTemplateIsLiteral) {
  run(R"j({"add": {"querystring": ["q1:$('$(uri_captures.user1)')"]}})j");
  EXPECT_EQ(request_.query, "q1=%24%28uri_captures.user1%29");
}

// ---- query string --------------------------------------------------------------------

TEST_F(TransformerTest, QueryIsLeftByteForByteWithoutQueryOperations) {
  request_.query = "expected=$&+,/:;?@&b=1";
  run(R"({"add": {"headers": ["x:y"]}})");
  EXPECT_EQ(request_.query, "expected=$&+,/:;?@&b=1");
}

TEST_F(TransformerTest, QueryOperationsInOrderAndSortedOutput) {
  request_.query = "toremovequery=yes&toreplacequery=yes&originalparam=o&p1=20&nottoremove=yes";
  run(R"({"remove": {"querystring": ["toremovequery"]},
          "rename": {"querystring": ["originalparam:renamedparam"]},
          "replace": {"querystring": ["toreplacequery:no", "absent:no"]},
          "add": {"querystring": ["query-added:newvalue", "p1:anything:1", "p2:b1"]},
          "append": {"querystring": ["p1:a2", "p2:b2"]}})");
  EXPECT_EQ(request_.query,
            "nottoremove=yes&p1=20&p1=a2&p2=b1&p2=b2&query-added=newvalue&renamedparam=o&"
            "toreplacequery=no");
}

TEST_F(TransformerTest, QueryAppendCreatesAndRepeats) {
  request_.query = "";
  run(R"({"append": {"querystring": ["q1:v1", "q1:v2", "q2:v1"]}})");
  EXPECT_EQ(request_.query, "q1=v1&q1=v2&q2=v1");
}

TEST_F(TransformerTest, QueryAppendToAFlagReplacesTheFlag) {
  request_.query = "debug&x";
  run(R"({"append": {"querystring": ["debug:1"]}})");
  EXPECT_EQ(request_.query, "debug=1&x");
}

TEST_F(TransformerTest, QueryEncodingRoundTrips) {
  request_.query = "name=caf%C3%A9&sp=a+b&sym=%26%3D";
  run(R"({"add": {"querystring": ["uri_param2[some_index][1]:bar baz"]}})");
  EXPECT_EQ(request_.query,
            "name=caf%C3%A9&sp=a%20b&sym=%26%3D&uri_param2%5Bsome_index%5D%5B1%5D=bar%20baz");
}

TEST_F(TransformerTest, KongTemplateQueryExample) {
  request_.path = "/requests/user1/foo/user2/bar";
  request_.query = "q1=20";
  captures_.named = {{"user1", "foo"}, {"user2", "bar"}};
  run(R"j({"add": {"querystring": ["uri_param1:$(uri_captures.user1)",
                                   "uri_param2[some_index][1]:$(uri_captures.user2)"]}})j");
  EXPECT_EQ(request_.path + "?" + request_.query,
            "/requests/user1/foo/user2/bar?q1=20&uri_param1=foo&"
            "uri_param2%5Bsome_index%5D%5B1%5D=bar");
}

// ---- JSON body -----------------------------------------------------------------------

TEST_F(TransformerTest, JsonBodyOperations) {
  json_body(R"({"toremove":1,"originalparam":"yes","p1":"v","keep":true,"list":["a"],"s":"x"})");
  const Outcome outcome = run(R"({"remove": {"body": ["toremove"]},
      "rename": {"body": ["originalparam:renamedparam"]},
      "replace": {"body": ["p1:v1", "absent:v"]},
      "add": {"body": ["p1:ignored", "newparam:new"]},
      "append": {"body": ["list:b", "s:y", "fresh:z"]}})");
  EXPECT_TRUE(outcome.body_changed);
  EXPECT_EQ(json::parse(request_.body), json::parse(R"({"p1":"v1","keep":true,"list":["a","b"],
      "s":["x","y"],"renamedparam":"yes","newparam":"new","fresh":["z"]})"));
}

TEST_F(TransformerTest, MalformedJsonIsLeftAlone) {
  json_body("malformed json body");
  const Outcome outcome = run(R"({"add": {"body": ["p1:v1"]}, "remove": {"body": ["x"]}})");
  EXPECT_FALSE(outcome.body_changed);
  EXPECT_FALSE(outcome.error);
  EXPECT_EQ(request_.body, "malformed json body");
}

TEST_F(TransformerTest, EmptyJsonBodyGetsAddedFieldsButNotRemovals) {
  json_body("");
  EXPECT_FALSE(run(R"({"remove": {"body": ["x"]}})").body_changed);
  EXPECT_EQ(request_.body, "");
  EXPECT_TRUE(run(R"({"add": {"body": ["body:somecontent"]}})").body_changed);
  EXPECT_EQ(request_.body, R"({"body":"somecontent"})");
}

TEST_F(TransformerTest, EmptyJsonArraysArePreserved) {
  json_body(R"({"emptyarray":[], "p1":"v"})");
  run(R"({"replace": {"body": ["p1:v1"]}})");
  EXPECT_EQ(request_.body, R"({"emptyarray":[],"p1":"v1"})");
}

TEST_F(TransformerTest, JsonFalseCountsAsAbsentNullAsPresent) {
  json_body(R"({"f":false,"n":null})");
  run(R"({"add": {"body": ["f:added", "n:added"]}, "replace": {"body": ["n:replaced"]}})");
  EXPECT_EQ(json::parse(request_.body), json::parse(R"({"f":"added","n":"replaced"})"));
}

TEST_F(TransformerTest, JsonArrayBodyIsLeftAlone) {
  json_body("[1,2]");
  EXPECT_FALSE(run(R"({"add": {"body": ["p:v"]}})").body_changed);
  EXPECT_EQ(request_.body, "[1,2]");
}

TEST_F(TransformerTest, JsonScalarBodyIsAnErrorAsInKong) {
  json_body("123");
  const Outcome outcome = run(R"({"add": {"body": ["p:v"]}})");
  EXPECT_TRUE(outcome.error);
}

TEST_F(TransformerTest, ContentTypeAddedByTheHeaderStepSelectsTheBodyFormat) {
  // Kong spec: "changes the HTTP method from GET to POST and adds JSON body".
  const Outcome outcome = run(R"({"http_method": "POST",
      "add": {"headers": ["Content-Type:application/json"], "body": ["body:somecontent"]}})");
  EXPECT_EQ(request_.method, "POST");
  EXPECT_TRUE(outcome.body_changed);
  EXPECT_EQ(request_.body, R"({"body":"somecontent"})");
}

TEST_F(TransformerTest, BodyWithoutAKnownContentTypeIsLeftAlone) {
  request_.body = "p1=v";
  EXPECT_FALSE(run(R"({"add": {"body": ["p2:v"]}})").body_changed);
  request_.headers.push_back({"Content-Type", "multipart/form-data; boundary=x"});
  EXPECT_FALSE(run(R"({"add": {"body": ["p2:v"]}})").body_changed);
  EXPECT_EQ(request_.body, "p1=v");
}

TEST_F(TransformerTest, ContentTypeIsMatchedAnywhereAndIgnoringCase) {
  request_.headers.push_back({"content-type", "Application/JSON; charset=utf-8"});
  request_.body = R"({"a":"1"})";
  run(R"({"add": {"body": ["b:2"]}})");
  EXPECT_EQ(request_.body, R"({"a":"1","b":"2"})");
}

// ---- urlencoded body -----------------------------------------------------------------

TEST_F(TransformerTest, FormBodyOperations) {
  form_body("toremoveform=yes&originalparam=o&p1=v&p2=v1&nottoremove=yes");
  const Outcome outcome = run(R"({"remove": {"body": ["toremoveform"]},
      "rename": {"body": ["originalparam:renamedparam"]},
      "replace": {"body": ["p1:v1", "absent:x"]},
      "add": {"body": ["p2:ignored", "newformparam:new value"]},
      "append": {"body": ["p2:v2"]}})");
  EXPECT_TRUE(outcome.body_changed);
  EXPECT_EQ(request_.body,
            "renamedparam=o&p1=v1&p2=v1&p2=v2&nottoremove=yes&"
            "newformparam=new%20value");
}

TEST_F(TransformerTest, FormAppendBuildsLists) {
  form_body("p1=v0");
  run(R"({"append": {"body": ["p1:v1", "p1:v2", "p2:value:1"]}})");
  EXPECT_EQ(request_.body, "p1=v0&p1=v1&p1=v2&p2=value%3A1");
}

TEST_F(TransformerTest, EmptyFormBodyOnlyGetsAdditions) {
  form_body("");
  EXPECT_FALSE(run(R"({"rename": {"body": ["a:b"]}})").body_changed);
  EXPECT_TRUE(run(R"({"add": {"body": ["p1:v1"]}})").body_changed);
  EXPECT_EQ(request_.body, "p1=v1");
}

TEST_F(TransformerTest, FormRenameOfAbsentFieldLeavesTheBody) {
  form_body("x-a-header=true");
  EXPECT_FALSE(run(R"({"rename": {"body": ["originalparam:renamedparam"]}})").body_changed);
  EXPECT_EQ(request_.body, "x-a-header=true");
}

// ---- uri and method ------------------------------------------------------------------

TEST_F(TransformerTest, ReplaceUriRendersCaptures) {
  request_.path = "/requests/user1/foo/user2/bar";
  captures_.named = {{"user1", "foo"}, {"user2", "bar"}};
  run(R"j({"replace": {"uri": "/requests/user2/$(uri_captures.user2)/user1/$(uri_captures.user1)"}})j");
  EXPECT_EQ(request_.path, "/requests/user2/bar/user1/foo");
}

TEST_F(TransformerTest, ReplaceUriWithIndexedCaptures) {
  captures_.positional = {"/user1/foo/user2/bar", "foo", "bar"};
  run(R"j({"replace": {"uri": "/requests$(uri_captures[0])"}})j");
  EXPECT_EQ(request_.path, "/requests/user1/foo/user2/bar");
}

TEST_F(TransformerTest, ReplaceUriEscapesWhatAPathCannotHold) {
  run(R"({"replace": {"uri": "/requests/tést/a b/%2F"}})");
  EXPECT_EQ(request_.path, "/requests/t%C3%A9st/a%20b/%2F");
}

TEST_F(TransformerTest, ReplaceUriNotStartingWithASlashIsAnError) {
  captures_.named = {{"p", "relative"}};
  const Outcome outcome = run(R"j({"replace": {"uri": "$(uri_captures.p)"}})j");
  EXPECT_TRUE(outcome.error);
  EXPECT_EQ(request_.path, "/request");
}

TEST_F(TransformerTest, MethodChangeKeepsTheQuery) {
  request_.query = "hello=world&name=marco";
  run(R"({"http_method": "POST"})");
  EXPECT_EQ(request_.method, "POST");
  EXPECT_EQ(request_.query, "hello=world&name=marco");
}

TEST_F(TransformerTest, PostFormTurnedIntoGetMovesFieldsToTheQuery) {
  form_body("name=marco&hello=again");
  request_.query = "hello=world";
  run(R"({"http_method": "GET"})");
  EXPECT_EQ(request_.method, "GET");
  EXPECT_EQ(request_.query, "hello=world&hello=again&name=marco");
  EXPECT_EQ(request_.body, "name=marco&hello=again");
}

TEST_F(TransformerTest, NothingConfiguredChangesNothing) {
  request_.query = "a=1";
  request_.headers.push_back({"X", "y"});
  const Request before = request_;
  const Outcome outcome = run("{}");
  EXPECT_EQ(request_.query, before.query);
  EXPECT_EQ(request_.headers.size(), before.headers.size());
  EXPECT_FALSE(outcome.body_changed);
  EXPECT_FALSE(outcome.upstream_host);
  EXPECT_FALSE(outcome.error);
}

}  // namespace
}  // namespace bazaar::gateway::request_transformer
