// The gateway binary end to end: a temporary kong.yml, the real user-service (and
// PostgreSQL) issuing RS256 tokens, and a raw-socket upstream in this process that echoes
// what reached it. Routing, jwt, rate-limiting, request-transformer, upstream failures,
// request smuggling, SIGHUP reloads and streamed chunked bodies.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <fstream>
#include <thread>

#include "chassis/auth/jwt.hpp"
#include "chassis/http/client.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace json = boost::json;
using http::BlockingClient;
using http::ClientResponse;

namespace {

// An HTTP/1.1 upstream on a raw socket. It answers every request with 200 and a body that
// is the request line, the headers as received, a blank line and the (de-chunked) body;
// paths starting with /slow wait 1.5 s first. Keep-alive, one thread per connection.
class EchoUpstream {
 public:
  EchoUpstream() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 64);
    acceptor_ = std::thread([this] { accept_loop(); });
  }
  ~EchoUpstream() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    acceptor_.join();
    for (int c : connections_) ::shutdown(c, SHUT_RDWR);
    for (auto& t : workers_) t.join();
    for (int c : connections_) ::close(c);
  }
  int port() const { return port_; }
  int requests() const { return requests_.load(); }

 private:
  void accept_loop() {
    for (;;) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      if (stopping_) {
        ::close(c);
        return;
      }
      connections_.push_back(c);
      workers_.emplace_back([this, c] { serve(c); });
    }
  }
  static bool read_more(int c, std::string& in) {
    char buf[16384];
    const auto n = ::recv(c, buf, sizeof buf, 0);
    if (n <= 0) return false;
    in.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  void serve(int c) {
    std::string in;
    for (;;) {
      std::size_t end;
      while ((end = in.find("\r\n\r\n")) == std::string::npos)
        if (!read_more(c, in)) return;
      std::string head = in.substr(0, end + 4);
      in.erase(0, end + 4);
      std::string lower = head;
      for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      std::string body;
      if (auto p = lower.find("\r\ncontent-length:"); p != std::string::npos) {
        const std::size_t n = std::stoul(lower.substr(p + 17));
        while (in.size() < n)
          if (!read_more(c, in)) return;
        body = in.substr(0, n);
        in.erase(0, n);
      } else if (lower.find("\r\ntransfer-encoding: chunked") != std::string::npos) {
        for (;;) {
          std::size_t line;
          while ((line = in.find("\r\n")) == std::string::npos)
            if (!read_more(c, in)) return;
          const std::size_t size = std::stoul(in.substr(0, line), nullptr, 16);
          while (in.size() < line + 2 + size + 2)
            if (!read_more(c, in)) return;
          body += in.substr(line + 2, size);
          in.erase(0, line + 2 + size + 2);
          if (size == 0) break;
        }
      }
      ++requests_;
      if (head.find(" /slow") != std::string::npos) std::this_thread::sleep_for(1500ms);
      const std::string payload = head + body;
      const std::string response =
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
          std::to_string(payload.size()) + "\r\n\r\n" + payload;
      if (::send(c, response.data(), response.size(), MSG_NOSIGNAL) < 0) return;
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> requests_{0};
  std::thread acceptor_;
  std::vector<int> connections_;
  std::vector<std::thread> workers_;
};

// The gateway binary with a kong.yml it can rewrite; ready when /health/ready answers.
class Gateway {
 public:
  explicit Gateway(const std::string& yaml)
      : path_(dir_.path() + "/kong.yml"),
        port_(harness::free_port()),
        status_port_(harness::free_port()) {
    write(yaml);
    process_ = std::make_unique<harness::Process>(
        GATEWAY_BIN,
        std::map<std::string, std::string>{{"KONG_DECLARATIVE_CONFIG", path_},
                                           {"PORT", std::to_string(port_)},
                                           {"STATUS_PORT", std::to_string(status_port_)},
                                           {"HTTP_THREADS", "2"},
                                           {"LOG_LEVEL", "info"}});
    BlockingClient client;
    const bool ready = harness::wait_until(
        [&] {
          if (!process_->running()) return true;
          try {
            return client.get(status_url("/health/ready"), {{"Connection", "close"}}).status == 200;
          } catch (const std::exception&) {
            return false;
          }
        },
        20s);
    if (!ready || !process_->running())
      throw std::runtime_error("gateway did not start:\n" + process_->output());
  }
  ~Gateway() {
    if (process_->running()) {
      process_->signal(SIGTERM);
      if (process_->wait(10s) < 0) process_->signal(SIGKILL);
      process_->wait(5s);
    }
  }
  void write(const std::string& yaml) { std::ofstream(path_) << yaml; }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + path;
  }
  std::string status_url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(status_port_) + path;
  }
  int port() const { return port_; }
  harness::Process& process() { return *process_; }

 private:
  harness::TempDir dir_;
  std::string path_;
  int port_;
  int status_port_;
  std::unique_ptr<harness::Process> process_;
};

ClientResponse send(const std::string& method, const std::string& url, http::Headers headers = {},
                    std::string body = {}) {
  BlockingClient client;
  http::ClientRequest r;
  r.method = method;
  r.url = url;
  r.headers = std::move(headers);
  r.body = std::move(body);
  return client.send(std::move(r), 10s);
}

std::string echo_config(int upstream) {
  const std::string up = "http://127.0.0.1:" + std::to_string(upstream);
  return R"yaml(_format_version: "3.0"
services:
  - name: echo
    url: )yaml" +
         up + R"yaml(/base
    routes:
      - name: echo-route
        paths: [/echo]
  - name: limited
    url: )yaml" +
         up + R"yaml(
    routes:
      - name: limited-route
        paths: [/limited]
    plugins:
      - name: rate-limiting
        config: {hour: 3, policy: local}
  - name: slow
    url: )yaml" +
         up + R"yaml(
    read_timeout: 300
    routes:
      - name: slow-route
        paths: [/slow]
        strip_path: false
  - name: down
    url: http://127.0.0.1:1/
    retries: 2
    routes:
      - name: down-route
        paths: [/down]
  - name: ring
    host: dead-ring
    retries: 0
    routes:
      - name: ring-route
        paths: [/ring]
upstreams:
  - name: dead-ring
    healthchecks:
      passive:
        unhealthy: {tcp_failures: 1}
    targets:
      - target: 127.0.0.1:1
)yaml";
}

class GatewayProxy : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    upstream_ = new EchoUpstream();
    gateway_ = new Gateway(echo_config(upstream_->port()));
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete upstream_;
  }
  static EchoUpstream* upstream_;
  static Gateway* gateway_;
};
EchoUpstream* GatewayProxy::upstream_ = nullptr;
Gateway* GatewayProxy::gateway_ = nullptr;

std::string header_line(const std::string& echoed, const std::string& name) {
  const auto p = echoed.find("\r\n" + name + ": ");
  if (p == std::string::npos) return "";
  const auto start = p + 2 + name.size() + 2;
  return echoed.substr(start, echoed.find("\r\n", start) - start);
}

}  // namespace

TEST_F(GatewayProxy, RoutesWithStripPathAndKongHeaders) {
  auto r = send("GET", gateway_->url("/echo/a/b?x=1&y"),
                {{"X-Forwarded-For", "10.1.1.1"},
                 {"X-Request-ID", "req-42"},
                 {"Connection", "keep-alive, X-Hop"},
                 {"X-Hop", "secret"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")), "GET /base/a/b?x=1&y HTTP/1.1");
  EXPECT_EQ(header_line(r.body, "Host"), "127.0.0.1:" + std::to_string(upstream_->port()));
  EXPECT_EQ(header_line(r.body, "X-Forwarded-For"), "10.1.1.1, 127.0.0.1");
  EXPECT_EQ(header_line(r.body, "X-Real-IP"), "127.0.0.1");
  EXPECT_EQ(header_line(r.body, "X-Forwarded-Proto"), "http");
  EXPECT_EQ(header_line(r.body, "X-Forwarded-Port"), std::to_string(gateway_->port()));
  EXPECT_EQ(header_line(r.body, "X-Forwarded-Prefix"), "/echo");
  EXPECT_EQ(header_line(r.body, "X-Request-ID"), "req-42");
  EXPECT_EQ(header_line(r.body, "traceparent").size(), 55u);
  EXPECT_EQ(header_line(r.body, "X-Hop"), "");
  EXPECT_NE(r.header("Via"), "");
  EXPECT_NE(r.header("X-Kong-Upstream-Latency"), "");

  const std::string parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
  auto traced = send("GET", gateway_->url("/echo"), {{"traceparent", parent}});
  EXPECT_EQ(header_line(traced.body, "traceparent"), parent);
  EXPECT_EQ(traced.body.substr(0, traced.body.find("\r\n")), "GET /base HTTP/1.1");

  auto missing = send("GET", gateway_->url("/nothing/here"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.body, R"({"message":"no Route matched with those values"})");
  EXPECT_EQ(missing.header("Content-Type"), "application/json; charset=utf-8");
}

TEST_F(GatewayProxy, RateLimitingRefusesTheRequestAfterTheLimit) {
  for (int i = 1; i <= 3; ++i) {
    auto r = send("GET", gateway_->url("/limited"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("X-RateLimit-Limit-Hour"), "3");
    EXPECT_EQ(r.header("X-RateLimit-Remaining-Hour"), std::to_string(3 - i));
  }
  auto refused = send("GET", gateway_->url("/limited"));
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(refused.body, R"({"message":"API rate limit exceeded"})");
  EXPECT_EQ(refused.header("X-RateLimit-Remaining-Hour"), "0");
  EXPECT_NE(refused.header("Retry-After"), "");
  auto metrics = send("GET", gateway_->status_url("/metrics"));
  EXPECT_NE(
      metrics.body.find(
          "kong_rate_limiting_rejections_total{service=\"limited\",route=\"limited-route\"} 1"),
      std::string::npos);
  EXPECT_NE(
      metrics.body.find(
          "kong_http_requests_total{service=\"limited\",route=\"limited-route\",code=\"429\"} 1"),
      std::string::npos);
}

// Two gateway processes with `policy: redis` on one Redis count together, with Kong's
// keys; with Redis gone, fault_tolerant lets requests through without the headers.
TEST(GatewayRedisRateLimiting, TwoGatewaysShareOneLimitAndRedisDownIsTolerated) {
  harness::RedisServer redis;
  EchoUpstream upstream;
  const std::string config = R"yaml(_format_version: "3.0"
services:
  - name: shared
    url: http://127.0.0.1:)yaml" +
                             std::to_string(upstream.port()) +
                             R"yaml(
    routes:
      - name: shared-route
        paths: [/shared]
    plugins:
      - name: rate-limiting
        config:
          hour: 5
          limit_by: ip
          policy: redis
          redis: {host: 127.0.0.1, port: )yaml" +
                             std::to_string(redis.port()) + R"yaml(, timeout: 500}
)yaml";
  Gateway first(config);
  Gateway second(config);

  // Five requests in all pass, alternating between the gateways; the sixth is refused by
  // whichever gateway it reaches.
  for (int i = 1; i <= 5; ++i) {
    auto& gateway = i % 2 == 1 ? first : second;
    auto r = send("GET", gateway.url("/shared"));
    ASSERT_EQ(r.status, 200) << i << ": " << r.body;
    EXPECT_EQ(r.header("X-RateLimit-Remaining-Hour"), std::to_string(5 - i));
  }
  for (auto* gateway : {&first, &second}) {
    auto refused = send("GET", gateway->url("/shared"));
    EXPECT_EQ(refused.status, 429);
    EXPECT_EQ(refused.body, R"({"message":"API rate limit exceeded"})");
  }

  // Redis stops: the default fault_tolerant=true passes requests, without rate-limit headers.
  redis.stop();
  auto tolerated = send("GET", first.url("/shared"));
  EXPECT_EQ(tolerated.status, 200) << tolerated.body;
  EXPECT_EQ(tolerated.header("X-RateLimit-Limit-Hour"), "");
}

TEST_F(GatewayProxy, UpstreamDownSlowAndUnhealthy) {
  const auto start = std::chrono::steady_clock::now();
  auto down = send("GET", gateway_->url("/down"));
  EXPECT_EQ(down.status, 502);
  EXPECT_EQ(down.body,
            R"({"message":"An invalid response was received from the upstream server"})");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

  auto slow = send("GET", gateway_->url("/slow"));
  EXPECT_EQ(slow.status, 504);
  EXPECT_EQ(slow.body, R"({"message":"The upstream server is timing out"})");

  auto first = send("GET", gateway_->url("/ring"));
  EXPECT_EQ(first.status, 502);
  auto unhealthy = send("GET", gateway_->url("/ring"));
  EXPECT_EQ(unhealthy.status, 503);
  EXPECT_EQ(unhealthy.body, R"({"message":"failure to get a peer from the ring-balancer"})");
  auto metrics = send("GET", gateway_->status_url("/metrics"));
  EXPECT_NE(metrics.body.find("kong_upstream_target_health{upstream=\"dead-ring\",target=\"127.0.0."
                              "1:1\",state=\"unhealthy\"} 1"),
            std::string::npos);
}

TEST_F(GatewayProxy, SmugglingAttemptsAreRefusedAndTheConnectionClosed) {
  const std::vector<std::string> attempts = {
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 5\r\n\r\nabcde",
      "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: 4\r\nContent-Length: 4\r\n\r\nabcd",
      "GET /echo HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n",
      "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\nabcd",
  };
  const int before = upstream_->requests();
  for (const std::string& attempt : attempts) {
    harness::RawConnection c(gateway_->port());
    c.send(attempt + "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
    bool closed = false;
    const std::string got = c.read_all(3s, &closed);
    EXPECT_EQ(got.substr(0, 12), "HTTP/1.1 400") << attempt;
    EXPECT_TRUE(closed) << attempt;
    EXPECT_EQ(got.find("HTTP/1.1", 12), std::string::npos) << "a second response: " << got;
  }
  EXPECT_EQ(upstream_->requests(), before);
}

TEST_F(GatewayProxy, ChunkedRequestBodyIsStreamedThrough) {
  harness::RawConnection c(gateway_->port());
  std::string wire = "POST /echo/upload HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string expected;
  for (int i = 0; i < 40; ++i) {
    const std::string piece(3000, static_cast<char>('a' + i % 26));
    expected += piece;
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
    wire += size + piece + "\r\n";
  }
  wire += "0\r\n\r\n";
  c.send(wire);
  const std::string response = c.read_response(10s);
  ASSERT_EQ(response.substr(0, 12), "HTTP/1.1 200") << response.substr(0, 300);
  EXPECT_NE(response.find("\r\nTransfer-Encoding: chunked\r\n"), std::string::npos);
  EXPECT_EQ(response.substr(response.size() - expected.size()), expected);
}

TEST(GatewayReload, SighupSwapsRoutingAndKeepsItOnABadFile) {
  EchoUpstream upstream;
  const std::string up = "http://127.0.0.1:" + std::to_string(upstream.port());
  const auto config = [&](const std::string& path) {
    return "_format_version: \"3.0\"\nservices:\n  - name: s\n    url: " + up +
           "\n    routes:\n      - name: r\n        paths: [" + path + "]\n";
  };
  Gateway gateway(config("/one"));
  harness::RawConnection kept(gateway.port());  // an open connection survives reloads
  kept.send("GET /one HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(kept.read_response(5s).substr(0, 12), "HTTP/1.1 200");

  gateway.write(config("/two"));
  gateway.process().signal(SIGHUP);
  EXPECT_TRUE(
      harness::wait_until([&] { return send("GET", gateway.url("/two")).status == 200; }, 5s));
  EXPECT_EQ(send("GET", gateway.url("/one")).status, 404);

  gateway.write("_format_version: \"3.0\"\nservices:\n  - name: s\n    hots: nope\n");
  gateway.process().signal(SIGHUP);
  EXPECT_TRUE(harness::wait_until(
      [&] { return gateway.process().output().find("reload failed") != std::string::npos; }, 5s));
  EXPECT_EQ(send("GET", gateway.url("/two")).status, 200);
  kept.send("GET /two HTTP/1.1\r\nHost: a\r\n\r\n");
  EXPECT_EQ(kept.read_response(5s).substr(0, 12), "HTTP/1.1 200");
}

TEST(GatewayConfig, BadFileExitsWithTwoNamingTheField) {
  harness::TempDir dir;
  const std::string path = dir.path() + "/kong.yml";
  std::ofstream(path)
      << "_format_version: \"3.0\"\nservices:\n  - name: user-service\n    hots: x\n";
  harness::Process p(GATEWAY_BIN, {{"KONG_DECLARATIVE_CONFIG", path},
                                   {"PORT", std::to_string(harness::free_port())},
                                   {"STATUS_PORT", std::to_string(harness::free_port())}});
  EXPECT_EQ(p.wait(10s), 2);
  EXPECT_NE(p.output().find("user-service"), std::string::npos) << p.output();
}

// Tokens from the real user-service, checked by the gateway's jwt plugin.
class GatewayJwt : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new harness::PgCluster("users");
    users_ = new harness::UserService(pg_->url("users"));
    upstream_ = new EchoUpstream();
    key_ = new auth::RsaKey(auth::RsaKey::from_private_pem_file(harness::test_jwt_key_file()));
    std::string pem = key_->public_pem();
    std::string indented;
    for (char c : pem) {
      indented += c;
      if (c == '\n') indented += "            ";
    }
    const std::string user_url = "http://127.0.0.1:" + std::to_string(users_->port());
    const std::string echo_url = "http://127.0.0.1:" + std::to_string(upstream_->port());
    gateway_ = new Gateway(R"yaml(_format_version: "3.0"
services:
  - name: user-service
    url: )yaml" + user_url +
                           R"yaml(/users
    routes:
      - name: users-signup
        paths: [/api/v1/users]
        methods: [POST]
      - name: users
        paths: [/api/v1/users]
        plugins:
          - name: jwt
            config: {claims_to_verify: [exp]}
  - name: auth
    url: )yaml" + user_url +
                           R"yaml(/auth/token
    routes:
      - name: auth-token
        paths: [/api/v1/auth/token]
  - name: echo
    url: )yaml" + echo_url +
                           R"yaml(
    routes:
      - name: echo
        paths: [/api/v1/echo]
    plugins:
      - name: jwt
        config: {claims_to_verify: [exp]}
      - name: request-transformer
        config:
          add:
            headers: ["X-Gateway-Consumer:$(consumer.id)"]
consumers:
  - username: bazaar-users
    id: 5a1d0e7e-0000-4000-8000-00000000beef
    jwt_secrets:
      - key: bazaar-user-service
        algorithm: RS256
        rsa_public_key: |
            )yaml" + indented +
                           "\n");
  }
  static void TearDownTestSuite() {
    delete gateway_;
    delete key_;
    delete upstream_;
    delete users_;
    delete pg_;
  }
  static harness::PgCluster* pg_;
  static harness::UserService* users_;
  static EchoUpstream* upstream_;
  static auth::RsaKey* key_;
  static Gateway* gateway_;
};
harness::PgCluster* GatewayJwt::pg_ = nullptr;
harness::UserService* GatewayJwt::users_ = nullptr;
EchoUpstream* GatewayJwt::upstream_ = nullptr;
auth::RsaKey* GatewayJwt::key_ = nullptr;
Gateway* GatewayJwt::gateway_ = nullptr;

TEST_F(GatewayJwt, TokensFromUserServicePassAndBadOnesGetKongAnswers) {
  const json::value signup{
      {"name", "Gate Keeper"}, {"email", "gate@example.com"}, {"password", "password-123"}};
  auto created = send("POST", gateway_->url("/api/v1/users"),
                      {{"Content-Type", "application/json"}}, json::serialize(signup));
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id(created.json().at("id").as_string());
  const json::value credentials{{"email", "gate@example.com"}, {"password", "password-123"}};
  auto token_response = send("POST", gateway_->url("/api/v1/auth/token"),
                             {{"Content-Type", "application/json"}}, json::serialize(credentials));
  ASSERT_EQ(token_response.status, 200) << token_response.body;
  const std::string token(token_response.json().at("access_token").as_string());

  auto user =
      send("GET", gateway_->url("/api/v1/users/" + id), {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(user.status, 200) << user.body;
  auto no_token = send("GET", gateway_->url("/api/v1/users/" + id));
  EXPECT_EQ(no_token.status, 401);
  EXPECT_EQ(no_token.body, R"({"message":"Unauthorized"})");

  auto echoed = send("GET", gateway_->url("/api/v1/echo"),
                     {{"Authorization", "Bearer " + token}, {"X-Consumer-ID", "forged"}});
  ASSERT_EQ(echoed.status, 200) << echoed.body;
  EXPECT_EQ(header_line(echoed.body, "X-Consumer-ID"), "5a1d0e7e-0000-4000-8000-00000000beef");
  EXPECT_EQ(header_line(echoed.body, "X-Consumer-Username"), "bazaar-users");
  EXPECT_EQ(header_line(echoed.body, "X-Credential-Identifier"), "bazaar-user-service");
  EXPECT_EQ(header_line(echoed.body, "X-Gateway-Consumer"), "5a1d0e7e-0000-4000-8000-00000000beef");

  const auto other = auth::RsaKey::generate(2048);
  const long long now = std::chrono::duration_cast<std::chrono::seconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
  const std::string forged = other.sign({"bazaar-user-service", id, "admin", now, now + 600});
  auto bad = send("GET", gateway_->url("/api/v1/echo"), {{"Authorization", "Bearer " + forged}});
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.body, R"({"message":"Invalid signature"})");

  const std::string expired =
      key_->sign({"bazaar-user-service", id, "user", now - 1200, now - 600});
  auto old = send("GET", gateway_->url("/api/v1/echo"), {{"Authorization", "Bearer " + expired}});
  EXPECT_EQ(old.status, 401) << old.body;
  EXPECT_EQ(old.body, R"({"exp":"token expired"})");

  // {"alg":"none","typ":"JWT"} . {"iss":"bazaar-user-service",...} . (no signature)
  const std::string none =
      "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJpc3MiOiJiYXphYXItdXNlci1zZXJ2aWNlIn0.";
  auto unsigned_token =
      send("GET", gateway_->url("/api/v1/echo"), {{"Authorization", "Bearer " + none}});
  EXPECT_EQ(unsigned_token.status, 401);
  EXPECT_NE(unsigned_token.body.find("\"message\""), std::string::npos);
  EXPECT_EQ(upstream_->requests(), 1);
}
