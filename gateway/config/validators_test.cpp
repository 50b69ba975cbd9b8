// The building blocks shared by the loader and the router: Kong's normalization, host parsing,
// regex rules and the YAML-to-JSON typing.
#include <cmath>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "gateway/config/config_error.hpp"
#include "gateway/config/kong_validators.hpp"
#include "gateway/config/legacy_path.hpp"
#include "gateway/config/route_regex.hpp"
#include "gateway/config/service_url.hpp"
#include "gateway/config/yaml_to_json.hpp"
#include "gateway/uri/normalize_path.hpp"

namespace bazaar::gateway::config {
namespace {

TEST(NormalizeUriPath, MatchesKongToolsUri) {
  struct Case {
    std::string_view in, out;
  };
  for (auto [in, out] : std::initializer_list<Case>{
           {"", ""},
           {"/", "/"},
           {"/a/b", "/a/b"},
           {"/a//b///c", "/a/b/c"},
           {"/a/./b", "/a/b"},
           {"/a/b/../c", "/a/c"},
           {"/../a", "/a"},
           {"/a/..", "/"},
           {"/a/.", "/a/"},
           {"/%7Euser/%41", "/~user/A"},
           {"/a%2fb", "/a%2Fb"},  // reserved: kept encoded, upper-cased
           {"/a%2Fb%3f", "/a%2Fb%3F"},
           {"/%2e%2e/x", "/x"},  // decoded dots are dot segments too
           {"/caf%C3%A9", "/caf\xC3\xA9"},
           {"/100%", "/100%"},
       }) {
    EXPECT_EQ(bazaar::gateway::uri::normalize_path(in), out) << in;
  }
}

TEST(HostPort, ParsesNamesAndAddresses) {
  auto name = parse_host_port("api.example.com:8080");
  ASSERT_TRUE(name);
  EXPECT_EQ(name->host, "api.example.com");
  EXPECT_EQ(name->port, 8080);
  EXPECT_FALSE(name->is_ip);
  auto v4 = parse_host_port("192.0.2.1");
  ASSERT_TRUE(v4);
  EXPECT_TRUE(v4->is_ip);
  auto v6 = parse_host_port("[::1]:443");
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 443);
  EXPECT_FALSE(parse_host_port("bad host"));
  EXPECT_FALSE(parse_host_port("a.com:99999"));
  EXPECT_FALSE(parse_host_port("a..com"));
}

TEST(Validators, RouteHosts) {
  EXPECT_FALSE(route_host_error("*.example.com"));
  EXPECT_FALSE(route_host_error("example.*"));
  EXPECT_FALSE(route_host_error("example.*:8000"));
  EXPECT_TRUE(route_host_error("ex*ample.com"));
  EXPECT_TRUE(route_host_error("*example.com"));
}

TEST(Validators, UuidsNamesTags) {
  EXPECT_TRUE(is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa6"));
  EXPECT_FALSE(is_uuid("3fa85f64-5717-4562-b3fc-2c963f66afa"));
  EXPECT_FALSE(utf8_name_error("user-service_v1.2~x"));
  EXPECT_FALSE(utf8_name_error("caf\xC3\xA9"));
  EXPECT_TRUE(utf8_name_error("a/b"));
  EXPECT_TRUE(utf8_name_error("\xC3"));
  EXPECT_FALSE(tag_error("team a"));
  EXPECT_TRUE(tag_error("a,b"));
}

TEST(RouteRegex, FollowsTheAtcRouter) {
  EXPECT_FALSE(regex_error("/users/(?<id>\\d+)"));
  EXPECT_FALSE(regex_error("/users/(?P<id>\\d+)"));
  EXPECT_TRUE(regex_error("/(?<!x)y"));
  EXPECT_TRUE(regex_error("/(?!x)y"));
  EXPECT_FALSE(regex_error("/[(?=]"));  // inside a class it is just characters
  auto regex = compile_path_regex("/users/(?P<id>\\d+)");
  boost::smatch m;
  std::string path = "/users/42/orders";
  ASSERT_TRUE(boost::regex_search(path, m, regex));
  EXPECT_EQ(m["id"].str(), "42");
  std::string later = "/x/users/42";
  EXPECT_FALSE(boost::regex_search(later, m, regex));  // anchored like Kong's "^" prefix
  std::string newline = "/a\n/users/1";
  EXPECT_FALSE(boost::regex_search(newline, m, compile_path_regex("/users")));
}

TEST(ServiceUrl, SplitsLikeLuaSocket) {
  auto url = parse_service_url("https://user:pw@api.example.com:8443/v1?x=1#f");
  ASSERT_TRUE(url);
  EXPECT_EQ(url->protocol, "https");
  EXPECT_EQ(url->host, "api.example.com");
  EXPECT_EQ(url->port, "8443");
  EXPECT_EQ(url->path, "/v1");
  auto bare = parse_service_url("//example.com:443");
  ASSERT_TRUE(bare);
  EXPECT_EQ(bare->protocol, "https");
}

TEST(LegacyPath, MigratesLikeKong) {
  EXPECT_EQ(migrate_legacy_path("/plain-path_1.0/~x"), "/plain-path_1.0/~x");
  EXPECT_EQ(migrate_legacy_path("/a//b"), "/a/b");
  EXPECT_EQ(migrate_legacy_path("/v\\d+/%2E/%2F"), "~/v\\d+/\\./%2F");
}

TEST(YamlToJson, TypesPlainScalarsByTheCoreSchema) {
  auto json = yaml_to_json(R"(
int: 42
neg: -7
hex: 0x1F
float: 1.5
exp: 1e3
quoted_int: "42"
yes_word: yes
t: true
f: False
n: null
tilde: ~
empty:
str: hello
list: [1, "2", three]
)");
  const auto& o = json.as_object();
  EXPECT_EQ(o.at("int").as_int64(), 42);
  EXPECT_EQ(o.at("neg").as_int64(), -7);
  EXPECT_EQ(o.at("hex").as_int64(), 31);
  EXPECT_DOUBLE_EQ(o.at("float").as_double(), 1.5);
  EXPECT_DOUBLE_EQ(o.at("exp").as_double(), 1000.0);
  EXPECT_EQ(o.at("quoted_int").as_string(), "42");
  EXPECT_EQ(o.at("yes_word").as_string(), "yes");  // YAML 1.2: not a boolean
  EXPECT_TRUE(o.at("t").as_bool());
  EXPECT_FALSE(o.at("f").as_bool());
  EXPECT_TRUE(o.at("n").is_null());
  EXPECT_TRUE(o.at("tilde").is_null());
  EXPECT_TRUE(o.at("empty").is_null());
  EXPECT_EQ(o.at("str").as_string(), "hello");
  EXPECT_EQ(o.at("list").as_array().size(), 3u);
  EXPECT_EQ(o.at("list").at(1).as_string(), "2");
}

TEST(YamlToJson, JsonTextIsYaml) {
  auto json = yaml_to_json(R"({"a": [1, 2.5, "x", true, null], "b": {"c": "d"}})");
  EXPECT_EQ(boost::json::serialize(json), R"({"a":[1,2.5E0,"x",true,null],"b":{"c":"d"}})");
}

TEST(YamlToJson, RejectsDuplicateKeys) { EXPECT_THROW(yaml_to_json("a: 1\na: 2\n"), ConfigError); }

}  // namespace
}  // namespace bazaar::gateway::config
