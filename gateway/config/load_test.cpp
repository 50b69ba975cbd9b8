#include "gateway/config/load.hpp"

#include <gtest/gtest.h>

#include "gateway/config/test_plugin_validator.hpp"

namespace bazaar::gateway::config {
namespace testdata {
std::string_view bazaar_guide_yaml();
}

namespace {

using testing::fake_plugin_validator;

std::string error_of(std::string_view text) {
  try {
    parse_declarative(text, fake_plugin_validator);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

void expect_guide(const Declarative& config) {
  EXPECT_EQ(config.format_version, "3.0");
  ASSERT_EQ(config.services.size(), 2u);
  const Service& users = config.services[0];
  EXPECT_EQ(users.name, "user-service");
  EXPECT_EQ(users.protocol, "http");
  EXPECT_EQ(users.host, "user-service");
  EXPECT_EQ(users.port, 8080);
  EXPECT_FALSE(users.path.has_value());
  EXPECT_EQ(users.retries, 5);
  EXPECT_EQ(users.connect_timeout, 60000);
  EXPECT_EQ(config.services[1].name, "order-service");

  ASSERT_EQ(config.routes.size(), 2u);
  const Route& users_route = config.routes[0];
  EXPECT_EQ(users_route.name, "users-route");
  EXPECT_EQ(users_route.service, 0u);
  EXPECT_EQ(users_route.paths, std::vector<std::string>{"/api/v1/users"});
  EXPECT_EQ(users_route.protocols, (std::vector<std::string>{"http", "https"}));
  EXPECT_TRUE(users_route.strip_path);
  EXPECT_FALSE(users_route.preserve_host);
  EXPECT_EQ(users_route.https_redirect_status_code, 426);
  EXPECT_EQ(users_route.path_handling, PathHandling::v0);
  EXPECT_EQ(config.routes[1].name, "orders-route");
  EXPECT_EQ(config.routes[1].service, 1u);

  ASSERT_EQ(config.plugins.size(), 4u);
  EXPECT_EQ(config.plugins[0].name, "jwt");
  EXPECT_EQ(config.plugins[0].service, 0u);
  EXPECT_FALSE(config.plugins[0].route.has_value());
  EXPECT_TRUE(config.plugins[0].config.empty());
  EXPECT_TRUE(config.plugins[0].enabled);
  const Plugin& rate_limiting = config.plugins[1];
  EXPECT_EQ(rate_limiting.name, "rate-limiting");
  EXPECT_EQ(rate_limiting.service, 0u);
  EXPECT_EQ(rate_limiting.config.at("minute").as_int64(), 100);
  EXPECT_EQ(rate_limiting.config.at("policy").as_string(), "local");
  EXPECT_EQ(config.plugins[2].name, "jwt");
  EXPECT_EQ(config.plugins[2].service, 1u);
  const Plugin& transformer = config.plugins[3];
  EXPECT_EQ(transformer.name, "request-transformer");
  EXPECT_EQ(transformer.config.at("add").at("headers").at(0).as_string(),
            "X-Consumer-ID:$(consumer.id)");
  EXPECT_TRUE(config.consumers.empty());
  EXPECT_TRUE(config.upstreams.empty());
}

TEST(LoadDeclarative, TheGuideFileLoadsUnchanged) {
  expect_guide(parse_declarative(testdata::bazaar_guide_yaml(), fake_plugin_validator));
}

TEST(LoadDeclarative, LoadsTheGuideFileFromDisk) {
  expect_guide(load_declarative_file(BAZAAR_GUIDE_FIXTURE, fake_plugin_validator));
}

TEST(LoadDeclarative, JsonBehavesLikeYaml) {
  constexpr std::string_view json = R"json({
    "_format_version": "3.0",
    "services": [
      {"name": "user-service", "url": "http://user-service:8080",
       "routes": [{"name": "users-route", "paths": ["/api/v1/users"]}],
       "plugins": [{"name": "jwt"},
                   {"name": "rate-limiting", "config": {"minute": 100, "policy": "local"}}]},
      {"name": "order-service", "url": "http://order-service:8080",
       "routes": [{"name": "orders-route", "paths": ["/api/v1/orders"]}],
       "plugins": [{"name": "jwt"},
                   {"name": "request-transformer",
                    "config": {"add": {"headers": ["X-Consumer-ID:$(consumer.id)"]}}}]}
    ]
  })json";
  expect_guide(parse_declarative(json, fake_plugin_validator));
}

TEST(LoadDeclarative, UnreadableFileIsAConfigError) {
  EXPECT_THROW(load_declarative_file("/nonexistent/kong.yaml", fake_plugin_validator), ConfigError);
}

TEST(LoadDeclarative, FormatVersionIsRequiredAndChecked) {
  EXPECT_EQ(error_of("services: []"),
            "declarative config: _format_version: required field missing");
  EXPECT_EQ(error_of("_format_version: \"2.0\""),
            "declarative config: _format_version: expected one of: 1.1, 2.1, 3.0 (got '2.0')");
  // Unquoted, YAML reads 3.0 as a number, and Kong wants a string.
  EXPECT_EQ(error_of("_format_version: 3.0"),
            "declarative config: _format_version: expected a string");
  for (std::string_view version : {"1.1", "2.1", "3.0"}) {
    auto config = parse_declarative("_format_version: \"" + std::string(version) + "\"",
                                    fake_plugin_validator);
    EXPECT_EQ(config.format_version, version);
  }
}

TEST(LoadDeclarative, TopLevelKeysAreChecked) {
  EXPECT_EQ(error_of("_format_version: \"3.0\"\nservicess: []"),
            "declarative config: unknown field 'servicess'");
  EXPECT_EQ(error_of("_format_version: \"3.0\"\n_workspace: default"),
            "declarative config: unknown field '_workspace'");
  EXPECT_EQ(error_of("_format_version: \"3.0\"\ncertificates: []"),
            "declarative config: certificates: these entities are not supported by this gateway");
  auto config = parse_declarative(
      "_format_version: \"3.0\"\n_transform: true\n_comment: hello\n_ignore: [1, {a: b}]",
      fake_plugin_validator);
  EXPECT_TRUE(config.services.empty());
}

TEST(LoadDeclarative, SyntaxErrorsNameTheLine) {
  EXPECT_EQ(error_of("_format_version: \"3.0\"\nservices: [\n"),
            "invalid YAML or JSON at line 3: end of sequence flow not found");
  EXPECT_EQ(error_of("_format_version: \"3.0\"\n_format_version: \"3.0\"\n"),
            "invalid YAML at line 2: duplicate key '_format_version'");
  EXPECT_EQ(error_of("- a\n- b\n"), "declarative config: expected an object at the top");
}

TEST(LoadDeclarative, EntitiesKeepFileOrderAcrossNestingAndTopLevel) {
  auto config = parse_declarative(R"yaml(
_format_version: "3.0"
routes:
  - name: first
    service: svc
    paths: [/a]
services:
  - name: svc
    host: example.com
    routes:
      - name: second
        paths: [/b]
)yaml",
                                  fake_plugin_validator);
  ASSERT_EQ(config.routes.size(), 2u);
  EXPECT_EQ(config.routes[0].name, "first");
  EXPECT_EQ(config.routes[1].name, "second");
  EXPECT_EQ(config.routes[0].service, 0u);
}

}  // namespace
}  // namespace bazaar::gateway::config
