#include <gtest/gtest.h>

#include "gateway/proxy/errors.hpp"
#include "gateway/proxy/forwarded_headers.hpp"
#include "gateway/proxy/header_list.hpp"
#include "gateway/proxy/hop_by_hop.hpp"
#include "gateway/proxy/plugin_scope.hpp"
#include "gateway/proxy/request_framing.hpp"

using namespace bazaar::gateway;
using namespace bazaar::gateway::proxy;

namespace {
// What emit_forwarded_headers hands out, as a list.
std::vector<Header> forwarded_headers(const std::vector<Header>& client_headers,
                                      const HopByHop& hop, const ClientConnectionFacts& facts) {
  std::vector<Header> out;
  emit_forwarded_headers(
      client_headers, hop, facts,
      [](void* list, std::string_view name, std::string_view value) {
        static_cast<std::vector<Header>*>(list)->push_back({std::string(name), std::string(value)});
      },
      &out);
  return out;
}

std::vector<std::string> names(const std::vector<Header>& headers) {
  std::vector<std::string> out;
  for (const auto& h : headers) out.push_back(h.name);
  return out;
}
}  // namespace

TEST(HopByHop, RemovesFixedNamesAndThoseConnectionNames) {
  std::vector<Header> h = {{"Connection", "keep-alive, X-Secret"},
                           {"Keep-Alive", "timeout=5"},
                           {"TE", "trailers"},
                           {"Trailer", "X"},
                           {"Transfer-Encoding", "chunked"},
                           {"Upgrade", "websocket"},
                           {"Proxy-Authorization", "x"},
                           {"proxy-connection", "keep-alive"},
                           {"x-secret", "1"},
                           {"Content-Type", "text/plain"},
                           {"Content-Length", "3"}};
  HopByHop hop;
  for (const Header& x : h) hop.note(x.name, x.value);
  std::erase_if(h, [&](const Header& x) { return hop.drops(x.name); });
  EXPECT_EQ(names(h), (std::vector<std::string>{"Content-Type", "Content-Length"}));
}

TEST(ForwardedHeaders, AppendsForwardedForAndReplacesTheRest) {
  std::vector<Header> h = {{"X-Forwarded-For", "1.1.1.1"},  {"x-forwarded-for", "2.2.2.2"},
                           {"X-Forwarded-Proto", "https"},  {"X-Forwarded-Host", "evil"},
                           {"X-Forwarded-Prefix", "/evil"}, {"X-Real-IP", "9.9.9.9"}};
  for (const Header& x : h) EXPECT_TRUE(is_forwarded_header(x.name)) << x.name;
  h = forwarded_headers(
      h, HopByHop{}, {"192.0.2.7", "http", "Api.Example.com:8000", 8000, "/api/x", std::nullopt});
  EXPECT_EQ(first_value(h, "x-forwarded-for"), "1.1.1.1, 2.2.2.2, 192.0.2.7");
  EXPECT_EQ(count(h, "x-forwarded-for"), 1u);
  EXPECT_EQ(first_value(h, "x-forwarded-proto"), "http");
  EXPECT_EQ(first_value(h, "x-forwarded-host"), "api.example.com");
  EXPECT_EQ(first_value(h, "x-forwarded-port"), "8000");
  EXPECT_EQ(first_value(h, "x-forwarded-path"), "/api/x");
  EXPECT_EQ(first_value(h, "x-real-ip"), "192.0.2.7");
  EXPECT_FALSE(first_value(h, "x-forwarded-prefix"));
}

TEST(ForwardedHeaders, FirstHopAndStrippedPrefix) {
  std::vector<Header> h;
  h = forwarded_headers(h, HopByHop{}, {"127.0.0.1", "https", "[::1]:8443", 8443, "/p/x", "/p"});
  EXPECT_EQ(first_value(h, "x-forwarded-for"), "127.0.0.1");
  EXPECT_EQ(first_value(h, "x-forwarded-host"), "[::1]");
  EXPECT_EQ(first_value(h, "x-forwarded-prefix"), "/p");
}

TEST(RequestFraming, RefusesAmbiguousFraming) {
  EXPECT_TRUE(framing_violation({{"Content-Length", "5"}, {"Content-Length", "5"}}));
  EXPECT_TRUE(framing_violation({{"Content-Length", "5"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_TRUE(framing_violation({{"Transfer-Encoding", "gzip, chunked"}}));
  EXPECT_TRUE(framing_violation({{"Transfer-Encoding", "identity"}}));
  EXPECT_TRUE(
      framing_violation({{"Transfer-Encoding", "chunked"}, {"Transfer-Encoding", "chunked"}}));
  EXPECT_TRUE(framing_violation({{"Content-Length", "+5"}}));
  EXPECT_TRUE(framing_violation({{"Content-Length", "5, 5"}}));
  EXPECT_FALSE(framing_violation({{"Content-Length", "5"}}));
  EXPECT_FALSE(framing_violation({{"transfer-encoding", "Chunked"}}));
  EXPECT_FALSE(framing_violation({}));
}

TEST(RequestFraming, RefusesObsFoldAndBareLf) {
  EXPECT_TRUE(raw_head_violation("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"));
  EXPECT_TRUE(raw_head_violation("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n\tb\r\n\r\n"));
  EXPECT_TRUE(raw_head_violation("GET / HTTP/1.1\nHost: a\r\n\r\n"));
  EXPECT_FALSE(raw_head_violation("GET / HTTP/1.1\r\nHost: a\r\nX: a b\r\n\r\n"));
}

TEST(PluginScope, KongPrecedence) {
  const Scope global{}, route{1, {}, {}}, service{{}, 2, {}}, consumer{{}, {}, 3},
      route_service{1, 2, {}}, service_consumer{{}, 2, 3}, route_consumer{1, {}, 3}, all{1, 2, 3};
  EXPECT_LT(precedence(all), precedence(route_consumer));
  EXPECT_LT(precedence(route_consumer), precedence(service_consumer));
  EXPECT_LT(precedence(service_consumer), precedence(route_service));
  EXPECT_LT(precedence(route_service), precedence(consumer));
  EXPECT_LT(precedence(consumer), precedence(route));
  EXPECT_LT(precedence(route), precedence(service));
  EXPECT_LT(precedence(service), precedence(global));
  EXPECT_TRUE(applies(route, {1, 2, std::nullopt}));
  EXPECT_FALSE(applies(consumer, {1, 2, std::nullopt}));
  EXPECT_TRUE(applies(consumer, {1, 2, 3}));
  EXPECT_FALSE(applies(route, {4, 2, 3}));
}

TEST(Errors, KongBodies) {
  EXPECT_EQ(no_route_matched().body, R"({"message":"no Route matched with those values"})");
  EXPECT_EQ(no_route_matched().status, 404);
  EXPECT_EQ(upstream_invalid_response().body,
            R"({"message":"An invalid response was received from the upstream server"})");
  EXPECT_EQ(no_healthy_target().body,
            R"({"message":"failure to get a peer from the ring-balancer"})");
  EXPECT_EQ(upstream_timeout().status, 504);
  EXPECT_EQ(upstream_timeout().body, R"({"message":"The upstream server is timing out"})");
  EXPECT_EQ(name_resolution_failed().status, 503);
  EXPECT_EQ(error_response(400).body, R"({"message":"Bad request"})");
}
