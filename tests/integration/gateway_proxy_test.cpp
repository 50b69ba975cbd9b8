// The gateway binary end to end: a temporary kong.yml, the real user-service (and
// PostgreSQL) issuing RS256 tokens, and a raw-socket upstream in this process that echoes
// what reached it. Routing, jwt, rate-limiting, request-transformer, upstream failures,
// request smuggling, SIGHUP reloads (also under load), streamed chunked bodies, TLS, size
// limits, preserve_host and the /status document.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <boost/json.hpp>
#include <cstdio>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <stop_token>
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
// `extra_env` adds settings (TLS, limits) and wins over the defaults here.
class Gateway {
 public:
  explicit Gateway(const std::string& yaml, std::map<std::string, std::string> extra_env = {})
      : path_(dir_.path() + "/kong.yml"),
        port_(harness::free_port()),
        status_port_(harness::free_port()) {
    write(yaml);
    std::map<std::string, std::string> env{{"KONG_DECLARATIVE_CONFIG", path_},
                                           {"PORT", std::to_string(port_)},
                                           {"STATUS_PORT", std::to_string(status_port_)},
                                           {"HTTP_THREADS", "2"},
                                           {"LOG_LEVEL", "info"}};
    for (auto& [name, value] : extra_env) env[name] = std::move(value);
    process_ = std::make_unique<harness::Process>(GATEWAY_BIN, std::move(env));
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
  const std::string& config_path() const { return path_; }
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
      - name: preserved-route
        paths: [/preserved]
        preserve_host: true
  - name: named
    url: http://localhost:)yaml" +
         std::to_string(upstream) + R"yaml(/named
    routes:
      - name: named-route
        paths: [/by-name]
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

// One route, `path`, to the echo upstream on `upstream_port`: two of these that differ only
// in the port are two configurations a client can tell apart by the Host the echo shows.
std::string one_route_config(int upstream_port, const std::string& path) {
  return "_format_version: \"3.0\"\nservices:\n  - name: s\n    url: http://127.0.0.1:" +
         std::to_string(upstream_port) + "\n    routes:\n      - name: r\n        paths: [" + path +
         "]\n";
}

std::string upstream_host(const EchoUpstream& upstream) {
  return "127.0.0.1:" + std::to_string(upstream.port());
}

// A response read off a raw socket, split; only built when it arrived whole.
struct RawResponse {
  int status = 0;
  std::string head;  // status line and headers, without the blank line
  std::string body;
  std::string header(const std::string& name) const { return header_line(head + "\r\n", name); }
};

// Parses exactly one Content-Length framed response; nullopt when it is cut short or
// framed some other way, which the callers count as a failure.
std::optional<RawResponse> parse_complete_response(const std::string& raw) {
  const auto end = raw.find("\r\n\r\n");
  if (raw.rfind("HTTP/1.", 0) != 0 || end == std::string::npos) return std::nullopt;
  RawResponse r;
  r.head = raw.substr(0, end);
  r.status = std::atoi(raw.c_str() + 9);
  const std::string length = r.header("Content-Length");
  if (length.empty()) return std::nullopt;
  const std::size_t size = std::stoul(length);
  if (raw.size() < end + 4 + size) return std::nullopt;
  r.body = raw.substr(end + 4, size);
  return r;
}

struct CommandResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};

// Runs a shell command (openssl, curl, md5sum) and collects what it printed.
CommandResult run_command(const std::string& command) {
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return result;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) result.output.append(buf, n);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

// Kong's configuration_hash is the MD5 of the declarative file's text.
std::string md5_of_file(const std::string& path) {
  const CommandResult md5 = run_command("md5sum " + path);
  return md5.exit_code == 0 ? md5.output.substr(0, 32) : "md5sum failed: " + md5.output;
}

std::size_t occurrences(const std::string& text, const std::string& what) {
  std::size_t count = 0;
  for (auto p = text.find(what); p != std::string::npos; p = text.find(what, p + what.size()))
    ++count;
  return count;
}

}  // namespace

TEST_F(GatewayProxy, RoutesWithStripPathAndKongHeaders) {
  auto r = send("GET", gateway_->url("/echo/a/b?x=1&y"),
                {{"X-Forwarded-For", "192.0.2.11"},
                 {"X-Request-ID", "req-42"},
                 {"Connection", "keep-alive, X-Hop"},
                 {"X-Hop", "secret"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")), "GET /base/a/b?x=1&y HTTP/1.1");
  EXPECT_EQ(header_line(r.body, "Host"), "127.0.0.1:" + std::to_string(upstream_->port()));
  EXPECT_EQ(header_line(r.body, "X-Forwarded-For"), "192.0.2.11, 127.0.0.1");
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

// A service addressed by name (as `user-service` in a cluster) is resolved, and keeps
// working request after request (the answer is cached per worker).
TEST_F(GatewayProxy, AServiceAddressedByHostNameIsResolved) {
  for (int i = 0; i < 5; ++i) {
    auto r = send("GET", gateway_->url("/by-name/x"));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.body.substr(0, r.body.find("\r\n")), "GET /named/x HTTP/1.1");
    EXPECT_EQ(header_line(r.body, "Host"), "localhost:" + std::to_string(upstream_->port()));
  }
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

// Hand-written requests: the client's Host must be exactly what the test says, once.
TEST_F(GatewayProxy, PreserveHostPassesTheClientHostAndTheDefaultSendsTheUpstreams) {
  const auto through = [](const std::string& path) {
    harness::RawConnection c(gateway_->port());
    c.send("GET " + path + " HTTP/1.1\r\nHost: shop.example.com:8080\r\n\r\n");
    return parse_complete_response(c.read_response(10s));
  };
  const auto preserved = through("/preserved/item");
  ASSERT_TRUE(preserved.has_value());
  ASSERT_EQ(preserved->status, 200) << preserved->body;
  EXPECT_EQ(preserved->body.substr(0, preserved->body.find("\r\n")), "GET /base/item HTTP/1.1");
  EXPECT_EQ(header_line(preserved->body, "Host"), "shop.example.com:8080");
  EXPECT_EQ(occurrences(preserved->body, "\r\nHost: "), 1u);

  const auto rewritten = through("/echo/item");
  ASSERT_TRUE(rewritten.has_value());
  ASSERT_EQ(rewritten->status, 200) << rewritten->body;
  EXPECT_EQ(header_line(rewritten->body, "Host"), upstream_host(*upstream_));
  EXPECT_EQ(occurrences(rewritten->body, "\r\nHost: "), 1u);
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

namespace {

// What one load client saw: every answer must be a whole 200; the Host the echo upstream
// reports tells which configuration served it.
struct LoadClientResult {
  int answered = 0;
  std::map<std::string, int> upstream_hosts;
  int failed = 0;
  std::vector<std::string> first_failures;

  void fail(std::string what) {
    ++failed;
    if (first_failures.size() < 5) first_failures.push_back(std::move(what));
  }
};

// Keep-alive GETs on one raw connection as fast as answers come. Raw, not BlockingClient:
// that client silently retries on a fresh connection, which would hide a dropped one.
void keep_requesting(std::stop_token stop, int port, const std::string& path,
                     LoadClientResult* result) {
  std::unique_ptr<harness::RawConnection> connection;
  while (!stop.stop_requested()) {
    try {
      if (!connection) connection = std::make_unique<harness::RawConnection>(port);
      connection->send("GET " + path + " HTTP/1.1\r\nHost: load\r\n\r\n");
      const std::string raw = connection->read_response(10s);
      const auto response = parse_complete_response(raw);
      if (response && response->status == 200) {
        ++result->answered;
        ++result->upstream_hosts[header_line(response->body, "Host")];
        continue;
      }
      result->fail(raw.empty() ? "connection closed or no answer" : raw.substr(0, 300));
    } catch (const std::exception& e) {
      result->fail(e.what());
    }
    connection.reset();  // the connection is in an unknown state: start a new one
  }
}

}  // namespace

// Reloads swap the snapshot under requests in flight: no request may fail or see a closed
// connection, and the clients must see both configurations, so the reloads took effect.
TEST(GatewayReload, SighupUnderLoadFailsNoRequest) {
  EchoUpstream first;
  EchoUpstream second;
  Gateway gateway(one_route_config(first.port(), "/flip"));

  std::vector<LoadClientResult> results(4);
  std::vector<std::jthread> clients;  // joined by their destructors, also on a failed ASSERT
  for (auto& result : results)
    clients.emplace_back(keep_requesting, gateway.port(), "/flip/x", &result);

  // 14 reloads, one every 300 ms: about 4 s of load, each configuration live in turn.
  const int reloads = 14;
  for (int reload = 1; reload <= reloads; ++reload) {
    std::this_thread::sleep_for(300ms);
    gateway.write(one_route_config((reload % 2 == 1 ? second : first).port(), "/flip"));
    gateway.process().signal(SIGHUP);
  }
  const bool all_reloaded = harness::wait_until(
      [&] {
        return occurrences(gateway.process().output(), "configuration reloaded") >=
               static_cast<std::size_t>(reloads);
      },
      10s);
  for (auto& client : clients) client.request_stop();
  clients.clear();

  EXPECT_TRUE(all_reloaded) << gateway.process().output();
  EXPECT_EQ(occurrences(gateway.process().output(), "reload failed"), 0u);
  std::map<std::string, int> hosts;
  for (std::size_t i = 0; i < results.size(); ++i) {
    const LoadClientResult& r = results[i];
    EXPECT_GT(r.answered, 0) << "client " << i;
    EXPECT_EQ(r.failed, 0) << "client " << i << ", first failure: "
                           << (r.first_failures.empty() ? "" : r.first_failures.front());
    for (const auto& [host, count] : r.upstream_hosts) hosts[host] += count;
  }
  EXPECT_EQ(hosts.size(), 2u);
  EXPECT_GT(hosts[upstream_host(first)], 0);
  EXPECT_GT(hosts[upstream_host(second)], 0);

  // The file written last is the one serving now.
  const auto& last = reloads % 2 == 1 ? second : first;
  auto after = send("GET", gateway.url("/flip/x"));
  ASSERT_EQ(after.status, 200) << after.body;
  EXPECT_EQ(header_line(after.body, "Host"), upstream_host(last));
}

// The proxy over TLS (1.2 and up) beside plain HTTP, with a throwaway self-signed cert.
TEST(GatewayTls, HttpsIsProxiedOldTlsIsRefusedAndPlainHttpStillWorks) {
  harness::TempDir dir;
  const std::string cert = dir.path() + "/cert.pem";
  const std::string key = dir.path() + "/key.pem";
  const CommandResult made =
      run_command("openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=localhost -days 1 -keyout " +
                  key + " -out " + cert);
  ASSERT_EQ(made.exit_code, 0) << made.output;

  EchoUpstream upstream;
  const int tls_port = harness::free_port();
  Gateway gateway(
      one_route_config(upstream.port(), "/echo"),
      {{"TLS_PORT", std::to_string(tls_port)}, {"TLS_CERT_FILE", cert}, {"TLS_KEY_FILE", key}});
  const std::string https = "https://127.0.0.1:" + std::to_string(tls_port);

  // curl prints the body, then the status code on a line of its own.
  const auto curl = [](const std::string& options, const std::string& url) {
    return run_command("curl -sSk " + options + " -w '\\n%{http_code}' " + url);
  };
  const auto status_of = [](const CommandResult& r) {
    return r.output.substr(r.output.rfind('\n') + 1);
  };
  const CommandResult modern = curl("--tlsv1.2", https + "/echo/secure");
  ASSERT_EQ(modern.exit_code, 0) << modern.output;
  EXPECT_EQ(status_of(modern), "200") << modern.output;
  EXPECT_EQ(modern.output.substr(0, modern.output.find("\r\n")), "GET /secure HTTP/1.1");
  EXPECT_EQ(header_line(modern.output, "X-Forwarded-Proto"), "https");
  EXPECT_EQ(header_line(modern.output, "X-Forwarded-Port"), std::to_string(tls_port));
  EXPECT_EQ(upstream.requests(), 1);

  const CommandResult exactly_12 = curl("--tlsv1.2 --tls-max 1.2", https + "/echo/twelve");
  EXPECT_EQ(exactly_12.exit_code, 0) << exactly_12.output;
  EXPECT_EQ(status_of(exactly_12), "200") << exactly_12.output;
  EXPECT_EQ(upstream.requests(), 2);

  // The client must really offer TLS 1.1: OpenSSL 3 clients refuse it themselves below
  // security level 0, and then the refusal would prove nothing about the gateway. The
  // server's protocol_version alert is what shows the gateway said no.
  const CommandResult old =
      curl("--tlsv1.1 --tls-max 1.1 --ciphers DEFAULT@SECLEVEL=0", https + "/echo/old");
  EXPECT_NE(old.exit_code, 0) << old.output;
  EXPECT_NE(old.output.find("alert protocol version"), std::string::npos) << old.output;
  EXPECT_EQ(upstream.requests(), 2);

  auto plain = send("GET", gateway.url("/echo/plain"));
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(header_line(plain.body, "X-Forwarded-Proto"), "http");
  EXPECT_EQ(upstream.requests(), 3);
}

namespace {

// Sends `request` followed by a valid GET on one connection and reads until the gateway
// closes it (or 10 s pass). A refused request must be the last thing answered.
struct RefusedExchange {
  std::string raw;
  bool closed = false;
};
RefusedExchange send_and_read_until_closed(int port, const std::string& request) {
  harness::RawConnection c(port);
  c.send(request + "GET /echo HTTP/1.1\r\nHost: a\r\n\r\n");
  RefusedExchange out;
  out.raw = c.read_all(10s, &out.closed);
  return out;
}

std::string chunked(const std::string& body, std::size_t piece) {
  std::string wire;
  for (std::size_t at = 0; at < body.size(); at += piece) {
    const std::string part = body.substr(at, piece);
    char size[16];
    std::snprintf(size, sizeof size, "%zx\r\n", part.size());
    wire += size + part + "\r\n";
  }
  return wire + "0\r\n\r\n";
}

}  // namespace

TEST(GatewayLimits, OversizedBodyGets413AndOversizedHeadGets431ThenTheConnectionCloses) {
  EchoUpstream upstream;
  Gateway gateway(one_route_config(upstream.port(), "/echo"),
                  {{"HTTP_MAX_BODY_BYTES", "1024"}, {"HTTP_MAX_HEADER_BYTES", "2048"}});

  // At the limits everything passes: the refusals below are about size, nothing else.
  const std::string fits(1024, 'b');
  auto within = send("POST", gateway.url("/echo"), {{"X-Pad", std::string(1500, 'h')}}, fits);
  ASSERT_EQ(within.status, 200) << within.body;
  EXPECT_EQ(within.body.substr(within.body.size() - fits.size()), fits);
  const int passed = upstream.requests();

  const auto expect_refused = [&](const RefusedExchange& got, int status,
                                  const std::string& message) {
    const auto response = parse_complete_response(got.raw);
    ASSERT_TRUE(response.has_value()) << got.raw;
    EXPECT_EQ(response->status, status);
    EXPECT_EQ(response->body, R"({"message":")" + message + R"("})");
    EXPECT_EQ(response->header("Content-Type"), "application/json; charset=utf-8");
    EXPECT_EQ(response->header("Connection"), "close");
    EXPECT_TRUE(got.closed) << "the gateway kept the connection open";
    EXPECT_EQ(got.raw.find("HTTP/1.1", 12), std::string::npos) << "a second response: " << got.raw;
  };

  const std::string big(4096, 'x');
  {
    SCOPED_TRACE("Content-Length body over HTTP_MAX_BODY_BYTES");
    expect_refused(send_and_read_until_closed(gateway.port(),
                                              "POST /echo HTTP/1.1\r\nHost: a\r\nContent-Length: " +
                                                  std::to_string(big.size()) + "\r\n\r\n" + big),
                   413, "Request Entity Too Large");
  }
  {
    SCOPED_TRACE("chunked body over HTTP_MAX_BODY_BYTES");
    expect_refused(
        send_and_read_until_closed(
            gateway.port(), "POST /echo HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n" +
                                chunked(big, 512)),
        413, "Request Entity Too Large");
  }
  {
    SCOPED_TRACE("header block over HTTP_MAX_HEADER_BYTES");
    expect_refused(
        send_and_read_until_closed(gateway.port(),
                                   "GET /echo HTTP/1.1\r\nHost: a\r\nX-Big: " + big + "\r\n\r\n"),
        431, "Request header or cookie too large");
  }
  EXPECT_EQ(upstream.requests(), passed) << "a refused request reached the upstream";
}

TEST(GatewayStatus, StatusDescribesTheLoadedFileAndFollowsAReload) {
  EchoUpstream upstream;
  Gateway gateway(one_route_config(upstream.port(), "/one"));
  const auto status = [&] {
    auto r = send("GET", gateway.status_url("/status"));
    EXPECT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type").substr(0, 16), "application/json");
    return r.json().as_object();
  };

  const json::object before = status();
  const std::string first_hash = md5_of_file(gateway.config_path());
  EXPECT_EQ(before.at("configuration_hash").as_string(), first_hash);
  const json::object& config = before.at("config").as_object();
  EXPECT_EQ(config.at("hash").as_string(), first_hash);
  EXPECT_EQ(config.at("services").to_number<int>(), 1);
  EXPECT_EQ(config.at("routes").to_number<int>(), 1);
  EXPECT_EQ(config.at("consumers").to_number<int>(), 0);
  EXPECT_EQ(config.at("plugins").to_number<int>(), 0);
  const std::string loaded_at(config.at("loaded_at").as_string());
  EXPECT_EQ(loaded_at.size(), 20u) << loaded_at;  // 2025-01-31T12:00:00Z
  EXPECT_EQ(loaded_at.back(), 'Z') << loaded_at;

  // Proxied requests are counted by the server section (finished after the answer is out).
  const auto total_requests = [&] {
    return status().at("server").as_object().at("total_requests").to_number<long long>();
  };
  const long long counted = total_requests();
  ASSERT_EQ(send("GET", gateway.url("/one")).status, 200);
  ASSERT_EQ(send("GET", gateway.url("/missing")).status, 404);
  EXPECT_TRUE(harness::wait_until([&] { return total_requests() == counted + 2; }, 5s));
  EXPECT_GE(status().at("server").as_object().at("connections_accepted").to_number<long long>(), 2);

  // A different file: two services, two routes, one plugin.
  gateway.write(one_route_config(upstream.port(), "/one") +
                "  - name: t\n    url: http://127.0.0.1:" + std::to_string(upstream.port()) +
                "\n    routes:\n      - name: t-route\n        paths: [/two]\n    plugins:\n"
                "      - name: rate-limiting\n        config: {hour: 100, policy: local}\n");
  const std::string second_hash = md5_of_file(gateway.config_path());
  ASSERT_NE(second_hash, first_hash);
  gateway.process().signal(SIGHUP);
  EXPECT_TRUE(harness::wait_until(
      [&] { return status().at("configuration_hash").as_string() == second_hash; }, 5s))
      << gateway.process().output();
  const json::object after = status();
  const json::object& reloaded = after.at("config").as_object();
  EXPECT_EQ(reloaded.at("hash").as_string(), second_hash);
  EXPECT_EQ(reloaded.at("services").to_number<int>(), 2);
  EXPECT_EQ(reloaded.at("routes").to_number<int>(), 2);
  EXPECT_EQ(reloaded.at("plugins").to_number<int>(), 1);
  EXPECT_EQ(send("GET", gateway.url("/two")).status, 200);
}
