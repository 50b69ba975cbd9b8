// Entity by entity: Kong's defaults, validations and references in the declarative format.
#include <gtest/gtest.h>

#include "gateway/config/load.hpp"
#include "gateway/config/test_plugin_validator.hpp"

namespace bazaar::gateway::config {
namespace {

using testing::fake_plugin_validator;

Declarative load(std::string_view body) {
  return parse_declarative("_format_version: \"3.0\"\n" + std::string(body), fake_plugin_validator);
}

std::string error_of(std::string_view body) {
  try {
    load(body);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "(no error)";
}

// --- services ---------------------------------------------------------------------------

TEST(Services, UrlShorthandExpandsLikeKong) {
  auto config = load(R"yaml(
services:
  - {name: a, url: "https://api.example.com/v1/"}
  - {name: b, url: "http://192.0.2.1"}
  - {name: c, url: "https://x.example.com:8443"}
  - {name: d, url: "http://x.example.com:443/p"}
)yaml");
  const auto& s = config.services;
  EXPECT_EQ(s[0].protocol, "https");
  EXPECT_EQ(s[0].host, "api.example.com");
  EXPECT_EQ(s[0].port, 443);
  EXPECT_EQ(s[0].path, "/v1/");
  EXPECT_EQ(s[1].port, 80);
  EXPECT_FALSE(s[1].path.has_value());
  EXPECT_EQ(s[2].port, 8443);
  EXPECT_EQ(s[3].protocol, "http");
  EXPECT_EQ(s[3].port, 443);
  EXPECT_EQ(s[3].path, "/p");
}

TEST(Services, DefaultsFollowKongsSchema) {
  auto config = load("services:\n  - {name: a, protocol: https, host: example.com}\n");
  const Service& s = config.services[0];
  // Kong's schema default is 80 for any protocol; only `url` derives 443 from https.
  EXPECT_EQ(s.port, 80);
  EXPECT_EQ(s.retries, 5);
  EXPECT_EQ(s.connect_timeout, 60000);
  EXPECT_EQ(s.write_timeout, 60000);
  EXPECT_EQ(s.read_timeout, 60000);
  EXPECT_TRUE(s.enabled);
  EXPECT_FALSE(s.id.has_value());
}

TEST(Services, ExplicitFieldsAndTags) {
  auto config = load(R"yaml(
services:
  - id: 3fa85f64-5717-4562-b3fc-2c963f66afa6
    name: a
    host: example.com
    port: 9000
    path: /base
    retries: 0
    connect_timeout: 1
    read_timeout: 2147483646
    enabled: false
    tags: [team-a, "v 1"]
)yaml");
  const Service& s = config.services[0];
  EXPECT_EQ(s.id, "3fa85f64-5717-4562-b3fc-2c963f66afa6");
  EXPECT_EQ(s.port, 9000);
  EXPECT_EQ(s.path, "/base");
  EXPECT_EQ(s.retries, 0);
  EXPECT_EQ(s.connect_timeout, 1);
  EXPECT_EQ(s.read_timeout, 2147483646);
  EXPECT_FALSE(s.enabled);
  EXPECT_EQ(s.tags, (std::vector<std::string>{"team-a", "v 1"}));
}

TEST(Services, ErrorsNameTheServiceAndField) {
  EXPECT_EQ(error_of("services:\n  - {name: user-service, hots: x, url: http://a}\n"),
            "service 'user-service': unknown field 'hots'");
  EXPECT_EQ(error_of("services:\n  - {name: user-service}\n"),
            "service 'user-service': host: required field missing");
  EXPECT_EQ(error_of("services:\n  - {host: a.com, port: 70000}\n"),
            "service at services[0]: port: value should be between 0 and 65535");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com, connect_timeout: 0}\n"),
            "service 'a': connect_timeout: value should be between 1 and 2147483646");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: 'a.com:80'}\n"),
            "service 'a': host: must not have a port");
  EXPECT_EQ(error_of("services:\n  - {name: a, url: 'grpc://a.com'}\n"),
            "service 'a': url: protocol 'grpc' is not supported by this gateway");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com, path: 'v1'}\n"),
            "service 'a': path: should start with: /");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com, path: '/a//b'}\n"),
            "service 'a': path: must not have empty segments");
  EXPECT_EQ(error_of("services:\n  - {name: 'a b', host: a.com}\n"),
            "service 'a b': name: invalid value 'a b': the only accepted ascii "
            "characters are alphanumerics or ., -, _, and ~");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com, retries: '5'}\n"),
            "service 'a': retries: expected an integer");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com, tls_verify: true}\n"),
            "service 'a': tls_verify: not supported by this gateway");
  EXPECT_EQ(error_of("services:\n  - {name: a, host: a.com}\n  - {name: a, host: b.com}\n"),
            "service 'a': uniqueness violation: 'services' entity with name set to 'a' "
            "already declared");
  EXPECT_EQ(error_of("services:\n  - {name: a, id: 123, host: a.com}\n"),
            "service 'a': id: expected a string");
  EXPECT_EQ(error_of("services:\n  - {name: a, id: '123', host: a.com}\n"),
            "service 'a': id: expected a valid UUID");
}

TEST(Services, HostMayNameAnUpstream) {
  auto config = load(R"yaml(
upstreams:
  - name: orders.internal
services:
  - {name: a, host: orders.internal}
  - {name: b, host: other.internal}
)yaml");
  EXPECT_EQ(config.services[0].upstream, 0u);
  EXPECT_FALSE(config.services[1].upstream.has_value());
}

// --- routes -------------------------------------------------------------------------------

TEST(Routes, DefaultsFollowKongsSchema) {
  auto config = load("routes:\n  - {name: r, paths: [/]}\n");
  const Route& r = config.routes[0];
  EXPECT_FALSE(r.service.has_value());  // Kong allows routes without a service
  EXPECT_EQ(r.protocols, (std::vector<std::string>{"http", "https"}));
  EXPECT_TRUE(r.strip_path);
  EXPECT_FALSE(r.preserve_host);
  EXPECT_EQ(r.regex_priority, 0);
  EXPECT_EQ(r.https_redirect_status_code, 426);
  EXPECT_TRUE(r.request_buffering);
  EXPECT_TRUE(r.response_buffering);
  EXPECT_EQ(r.path_handling, PathHandling::v0);
}

TEST(Routes, AllFields) {
  auto config = load(R"yaml(
services:
  - {name: svc, host: a.com}
routes:
  - name: r
    service: svc
    protocols: [https]
    methods: [GET, POST]
    hosts: ["*.example.com", "example.*", "api.example.com:8443"]
    paths: ["/v1", "~/users/(?<id>\\d+)$"]
    headers: {X-Version: ["1", "~*^v\\d$"]}
    https_redirect_status_code: 308
    regex_priority: -5
    strip_path: false
    path_handling: v1
    preserve_host: true
    request_buffering: false
    response_buffering: false
    snis: []
    tags: [a]
)yaml");
  const Route& r = config.routes[0];
  EXPECT_EQ(r.service, 0u);
  EXPECT_EQ(r.protocols, std::vector<std::string>{"https"});
  EXPECT_EQ(r.methods, (std::vector<std::string>{"GET", "POST"}));
  EXPECT_EQ(r.hosts.size(), 3u);
  EXPECT_EQ(r.paths[1], "~/users/(?<id>\\d+)$");
  EXPECT_EQ(r.headers.at("X-Version"), (std::vector<std::string>{"1", "~*^v\\d$"}));
  EXPECT_EQ(r.https_redirect_status_code, 308);
  EXPECT_EQ(r.regex_priority, -5);
  EXPECT_FALSE(r.strip_path);
  EXPECT_EQ(r.path_handling, PathHandling::v1);
  EXPECT_TRUE(r.preserve_host);
  EXPECT_FALSE(r.request_buffering);
  EXPECT_FALSE(r.response_buffering);
}

TEST(Routes, ServiceReferenceByNameOrId) {
  auto config = load(R"yaml(
services:
  - {name: a, host: a.com}
  - {id: 11111111-2222-3333-4444-555555555555, host: b.com}
routes:
  - {name: by-name, service: a, paths: [/a]}
  - {name: by-id, service: 11111111-2222-3333-4444-555555555555, paths: [/b]}
  - {name: by-object, service: {id: 11111111-2222-3333-4444-555555555555}, paths: [/c]}
)yaml");
  EXPECT_EQ(config.routes[0].service, 0u);
  EXPECT_EQ(config.routes[1].service, 1u);
  EXPECT_EQ(config.routes[2].service, 1u);
}

TEST(Routes, ErrorsNameTheRouteAndField) {
  EXPECT_EQ(error_of("routes:\n  - {name: orders-route, service: nope, paths: [/]}\n"),
            "route 'orders-route': invalid reference 'service: nope' (no such entry in "
            "'services')");
  EXPECT_EQ(error_of("routes:\n  - name: orders-route\n    paths: [/ok, '~/(unclosed']\n"),
            "route 'orders-route': paths[1]: invalid regex: '/(unclosed' (Unmatched marking "
            "parenthesis ( or \\(.  The error occurred while parsing the regular expression "
            "fragment: '/(unclosed>>>HERE>>>'.)");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['/a/../b']}\n"),
            "route 'r': paths[0]: non-normalized path, consider use '/b' instead");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['/%7Euser']}\n"),
            "route 'r': paths[0]: non-normalized path, consider use '/~user' instead");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['/a%zz']}\n"),
            "route 'r': paths[0]: invalid url-encoded value: '%zz'");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['a']}\n"),
            "route 'r': paths[0]: should start with: / (fixed path) or ~/ (regex path)");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['~/(?=x)']}\n"),
            "route 'r': paths[0]: invalid regex: '/(?=x)' (look-around is not supported)");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: ['~/(a)\\1']}\n"),
            "route 'r': paths[0]: invalid regex: '/(a)\\1' (backreferences are not supported)");
  EXPECT_EQ(error_of("routes:\n  - {name: r, methods: [get]}\n"),
            "route 'r': methods[0]: invalid value 'get': must be uppercase letters only");
  EXPECT_EQ(error_of("routes:\n  - {name: r, hosts: ['a.*.com']}\n"),
            "route 'r': hosts[0]: invalid wildcard: must be placed at leftmost or rightmost "
            "label");
  EXPECT_EQ(error_of("routes:\n  - {name: r, hosts: ['*.a.*']}\n"),
            "route 'r': hosts[0]: invalid wildcard: must have at most one wildcard");
  EXPECT_EQ(error_of("routes:\n  - {name: r, headers: {Host: [a]}}\n"),
            "route 'r': headers.Host: cannot contain 'host' header, which must be specified "
            "in the 'hosts' attribute");
  EXPECT_EQ(error_of("routes:\n  - {name: r}\n"),
            "route 'r': must set one of 'methods', 'hosts', 'headers', 'paths' when "
            "'protocols' is 'https'");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: [/], protocols: [grpc]}\n"),
            "route 'r': protocols[0]: protocol 'grpc' is not supported by this gateway");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: [/], https_redirect_status_code: 303}\n"),
            "route 'r': https_redirect_status_code: expected one of: 426, 301, 302, 307, 308");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: [/], path_handling: v2}\n"),
            "route 'r': path_handling: expected one of: v0, v1");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: [/], snis: [a.com]}\n"),
            "route 'r': snis: not supported by this gateway");
  EXPECT_EQ(error_of("services:\n  - name: s\n    host: a.com\n    routes:\n"
                     "      - {name: r, service: s, paths: [/]}\n"),
            "route 'r': service: must not be set on an entity nested in service 's'");
  EXPECT_EQ(error_of("routes:\n  - {name: r, paths: [/]}\n  - {name: r, paths: [/x]}\n"),
            "route 'r': uniqueness violation: 'routes' entity with name set to 'r' already "
            "declared");
}

TEST(Routes, LegacyFormatsMigrateRegexPathsAsKongDoes) {
  auto config = parse_declarative(R"yaml(
_format_version: "2.1"
routes:
  - name: r
    paths: ["/plain/%7Euser", "/users/\\d+", "/a%2Eb/(x)"]
)yaml",
                                  fake_plugin_validator);
  EXPECT_EQ(config.routes[0].paths,
            (std::vector<std::string>{"/plain/~user", "~/users/\\d+", "~/a\\.b/(x)"}));
}

// --- consumers and jwt_secrets -------------------------------------------------------------

TEST(Consumers, NestedAndTopLevelJwtSecrets) {
  auto config = load(R"yaml(
consumers:
  - username: alice
    custom_id: "42"
    tags: [vip]
    jwt_secrets:
      - {key: alice-key, secret: s3cret}
  - id: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee
    custom_id: only-custom
jwt_secrets:
  - {consumer: alice, key: second, algorithm: HS512, secret: x}
  - {consumer: aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee}
)yaml");
  ASSERT_EQ(config.consumers.size(), 2u);
  const Consumer& alice = config.consumers[0];
  EXPECT_EQ(alice.username, "alice");
  EXPECT_EQ(alice.custom_id, "42");
  ASSERT_EQ(alice.jwt_secrets.size(), 2u);
  EXPECT_EQ(alice.jwt_secrets[0].key, "alice-key");
  EXPECT_EQ(alice.jwt_secrets[0].secret, "s3cret");
  EXPECT_EQ(alice.jwt_secrets[0].algorithm, "HS256");
  EXPECT_EQ(alice.jwt_secrets[1].algorithm, "HS512");
  const JwtSecret& generated = config.consumers[1].jwt_secrets.at(0);
  EXPECT_EQ(generated.key.size(), 32u);
  EXPECT_EQ(generated.secret.size(), 32u);
  EXPECT_NE(generated.key, generated.secret);
}

constexpr std::string_view kRsaPublicKey = R"(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDbO0IzJXDxijJ9CjPiP2ft9SnG
ymNs8fTzhoLeW8Uhp9kdz2Bs5TaYwE8isSPhveyRFujHv6ccOZA6dV9SSgiMqKzs
B/jUniz7cPBX63ZL9pbb6lIWdlS8nziKQ97IYGzwjA+I3OfLewNdLnXYF5FWb1J1
iMyOf2X36TwfMYjFDQIDAQAB
-----END PUBLIC KEY-----
)";

TEST(Consumers, AsymmetricSecretsNeedAValidPublicKey) {
  std::string indented;
  for (char c : kRsaPublicKey) {
    indented += c;
    if (c == '\n') indented += "          ";
  }
  auto config = load(
      "consumers:\n  - username: bob\n    jwt_secrets:\n"
      "      - algorithm: RS256\n        rsa_public_key: |\n          " +
      indented + "\n");
  EXPECT_EQ(config.consumers[0].jwt_secrets[0].algorithm, "RS256");
  EXPECT_TRUE(config.consumers[0].jwt_secrets[0].rsa_public_key->starts_with("-----BEGIN"));

  EXPECT_EQ(error_of("consumers:\n  - username: bob\n    jwt_secrets:\n"
                     "      - {key: k, algorithm: RS256}\n"),
            "jwt_secret 'k': rsa_public_key: required field missing");
  EXPECT_EQ(error_of("consumers:\n  - username: bob\n    jwt_secrets:\n"
                     "      - {key: k, algorithm: ES384}\n"),
            "jwt_secret 'k': rsa_public_key: required field missing");
  EXPECT_EQ(error_of("consumers:\n  - username: bob\n    jwt_secrets:\n"
                     "      - {key: k, algorithm: RS512, rsa_public_key: nonsense}\n"),
            "jwt_secret 'k': rsa_public_key: invalid key");
  EXPECT_EQ(error_of("consumers:\n  - username: bob\n    jwt_secrets:\n"
                     "      - {key: k, algorithm: none}\n"),
            "jwt_secret 'k': algorithm: expected one of: HS256, HS384, HS512, RS256, RS384, "
            "RS512, ES256, ES384");
}

TEST(Consumers, Errors) {
  EXPECT_EQ(error_of("consumers:\n  - {tags: [a]}\n"),
            "consumer at consumers[0]: at least one of these fields must be non-empty: "
            "'custom_id', 'username'");
  EXPECT_EQ(error_of("consumers:\n  - {username: a}\n  - {username: a}\n"),
            "consumer 'a': uniqueness violation: 'consumers' entity with username set to 'a' "
            "already declared");
  EXPECT_EQ(error_of("consumers:\n  - {username: a, custom_id: x}\n"
                     "  - {username: b, custom_id: x}\n"),
            "consumer 'b': uniqueness violation: 'consumers' entity with custom_id set to 'x' "
            "already declared");
  EXPECT_EQ(error_of("jwt_secrets:\n  - {key: k, consumer: ghost}\n"),
            "jwt_secret 'k': invalid reference 'consumer: ghost' (no such entry in "
            "'consumers')");
  EXPECT_EQ(error_of("jwt_secrets:\n  - {key: k}\n"),
            "jwt_secret 'k': consumer: required field missing");
  EXPECT_EQ(error_of("consumers:\n  - username: a\n    jwt_secrets: [{key: k}]\n"
                     "  - username: b\n    jwt_secrets: [{key: k}]\n"),
            "jwt_secret 'k': uniqueness violation: 'jwt_secrets' entity with key set to 'k' "
            "already declared");
  EXPECT_EQ(error_of("consumers:\n  - {username: a, keyauth_credentials: []}\n"),
            "consumer 'a': unknown field 'keyauth_credentials'");
}

// --- upstreams and targets -----------------------------------------------------------------

TEST(Upstreams, DefaultsFollowKongsSchema) {
  auto config = load(R"yaml(
upstreams:
  - name: orders.internal
    targets:
      - target: 192.0.2.1:8080
      - {target: order-service, weight: 0}
targets:
  - {upstream: orders.internal, target: "[::1]:9000"}
)yaml");
  const Upstream& u = config.upstreams[0];
  EXPECT_EQ(u.algorithm, "round-robin");
  EXPECT_EQ(u.slots, 10000);
  EXPECT_EQ(u.passive_healthcheck.type, "http");
  EXPECT_EQ(u.passive_healthcheck.unhealthy.http_statuses, (std::vector<int>{429, 500, 503}));
  EXPECT_EQ(u.passive_healthcheck.unhealthy.http_failures, 0);
  EXPECT_EQ(u.passive_healthcheck.healthy.http_statuses.size(), 19u);
  ASSERT_EQ(u.targets.size(), 3u);
  EXPECT_EQ(u.targets[0].target, "192.0.2.1:8080");
  EXPECT_EQ(u.targets[0].weight, 100);
  EXPECT_EQ(u.targets[1].target, "order-service:8000");
  EXPECT_EQ(u.targets[1].host, "order-service");
  EXPECT_EQ(u.targets[1].port, 8000);
  EXPECT_EQ(u.targets[1].weight, 0);
  EXPECT_EQ(u.targets[2].target, "[::1]:9000");
  EXPECT_EQ(u.targets[2].host, "::1");
}

TEST(Upstreams, PassiveHealthchecksAndAlgorithm) {
  auto config = load(R"yaml(
upstreams:
  - name: u
    algorithm: least-connections
    host_header: internal.example.com
    healthchecks:
      threshold: 0
      active: {type: http, http_path: /health}
      passive:
        type: https
        healthy: {successes: 3, http_statuses: [200]}
        unhealthy: {http_failures: 5, tcp_failures: 2, timeouts: 7, http_statuses: [502]}
)yaml");
  const Upstream& u = config.upstreams[0];
  EXPECT_EQ(u.algorithm, "least-connections");
  EXPECT_EQ(u.host_header, "internal.example.com");
  const PassiveHealthcheck& p = u.passive_healthcheck;
  EXPECT_EQ(p.type, "https");
  EXPECT_EQ(p.healthy.successes, 3);
  EXPECT_EQ(p.healthy.http_statuses, std::vector<int>{200});
  EXPECT_EQ(p.unhealthy.http_failures, 5);
  EXPECT_EQ(p.unhealthy.tcp_failures, 2);
  EXPECT_EQ(p.unhealthy.timeouts, 7);
  EXPECT_EQ(p.unhealthy.http_statuses, std::vector<int>{502});
}

TEST(Upstreams, Errors) {
  EXPECT_EQ(error_of("upstreams:\n  - {name: 192.0.2.1}\n"),
            "upstream '192.0.2.1': name: Invalid name; no ip addresses allowed");
  EXPECT_EQ(error_of("upstreams:\n  - {name: u, algorithm: random}\n"),
            "upstream 'u': algorithm: expected one of: consistent-hashing, least-connections, "
            "round-robin");
  EXPECT_EQ(error_of("upstreams:\n  - name: u\n    healthchecks: {passive: {unhealthy: "
                     "{http_failure: 1}}}\n"),
            "upstream 'u': healthchecks.passive.unhealthy: unknown field 'http_failure'");
  EXPECT_EQ(error_of("upstreams:\n  - name: u\n    targets: [{target: a.com, weight: 70000}]\n"),
            "target 'a.com': weight: value should be between 0 and 65535");
  EXPECT_EQ(error_of("upstreams:\n  - name: u\n    targets: [{target: a.com}, "
                     "{target: 'a.com:8000'}]\n"),
            "target 'a.com:8000': uniqueness violation: target 'a.com:8000' already declared "
            "in upstream 'u'");
  EXPECT_EQ(error_of("targets:\n  - {upstream: nope, target: a.com}\n"),
            "target 'a.com': invalid reference 'upstream: nope' (no such entry in "
            "'upstreams')");
}

// --- plugins -------------------------------------------------------------------------------

TEST(Plugins, ScopesFromNestingAndReferences) {
  auto config = load(R"yaml(
services:
  - name: svc
    host: a.com
    routes:
      - name: r
        paths: [/]
        plugins: [{name: jwt}]
consumers:
  - username: alice
    plugins: [{name: rate-limiting, config: {minute: 5}}]
plugins:
  - {name: request-transformer}
  - {name: rate-limiting, service: svc, route: r, consumer: alice, enabled: false,
     protocols: [https], tags: [x], instance_name: rl-1}
)yaml");
  ASSERT_EQ(config.plugins.size(), 4u);
  const Plugin& on_route = config.plugins[0];
  EXPECT_EQ(on_route.route, 0u);
  EXPECT_FALSE(on_route.service.has_value());
  const Plugin& on_consumer = config.plugins[1];
  EXPECT_EQ(on_consumer.consumer, 0u);
  EXPECT_EQ(on_consumer.config.at("minute").as_int64(), 5);
  EXPECT_TRUE(config.plugins[2].is_global());
  EXPECT_EQ(config.plugins[2].protocols,
            (std::vector<std::string>{"grpc", "grpcs", "http", "https"}));
  const Plugin& combined = config.plugins[3];
  EXPECT_EQ(combined.service, 0u);
  EXPECT_EQ(combined.route, 0u);
  EXPECT_EQ(combined.consumer, 0u);
  EXPECT_FALSE(combined.enabled);
  EXPECT_EQ(combined.protocols, std::vector<std::string>{"https"});
  EXPECT_EQ(combined.instance_name, "rl-1");
}

TEST(Plugins, ErrorsNameThePluginAndItsScope) {
  EXPECT_EQ(error_of(R"yaml(
services:
  - name: user-service
    host: a.com
    plugins:
      - name: rate-limiting
        config: {minute: lots}
)yaml"),
            "plugin 'rate-limiting' on service 'user-service': config.minute: expected a number");
  EXPECT_EQ(error_of("plugins:\n  - {name: nope}\n"),
            "plugin 'nope' (global): plugin 'nope' not enabled; add it to the 'plugins' "
            "configuration");
  EXPECT_EQ(error_of("services:\n  - name: s\n    host: a.com\n    plugins:\n"
                     "      - {name: jwt, confg: {}}\n"),
            "plugin 'jwt' on service 's': unknown field 'confg'");
  EXPECT_EQ(error_of("services:\n  - name: s\n    host: a.com\n    plugins:\n"
                     "      - {name: jwt, route: r}\n"),
            "plugin 'jwt' on service 's': route: must not be set on an entity nested in "
            "service 's'");
  EXPECT_EQ(error_of("services:\n  - name: s\n    host: a.com\n    plugins: [{name: jwt}]\n"
                     "plugins:\n  - {name: jwt, service: s}\n"),
            "plugin 'jwt' on service 's': uniqueness violation: the plugin is already "
            "configured on this scope");
  EXPECT_EQ(error_of("plugins:\n  - {name: jwt, route: ghost}\n"),
            "plugin 'jwt' at plugins[0]: invalid reference 'route: ghost' (no such entry in "
            "'routes')");
  EXPECT_EQ(error_of("plugins:\n  - {config: {}}\n"),
            "plugin at plugins[0]: name: required field missing");
  EXPECT_EQ(error_of("plugins:\n  - {name: jwt, config: []}\n"),
            "plugin 'jwt' at plugins[0]: config: expected an object");
}

}  // namespace
}  // namespace bazaar::gateway::config
