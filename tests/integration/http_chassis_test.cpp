// The chassis HTTP server and client talking to each other over loopback: trace context
// crosses the hop, keep-alive connections are reused, deadlines hold, drain completes.
#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <future>
#include <thread>

#include "chassis/http/client.hpp"
#include "chassis/http/server.hpp"
#include "chassis/telemetry/metrics.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {
http::Task<http::Response> echo_trace(http::Request req) {
  boost::json::object o{{"traceparent", std::string(req.header("traceparent"))},
                        {"trace_id", req.trace.trace_id},
                        {"parent_span_id", req.trace.parent_span_id}};
  co_return http::Response::json(200, o);
}

http::Task<http::Response> slow(http::Request) {
  asio::steady_timer t(co_await asio::this_coro::executor, 300ms);
  co_await t.async_wait(asio::use_awaitable);
  co_return http::Response::text(200, "late");
}

// A server on an ephemeral port, run on its own thread until the fixture ends.
class ChassisHttp : public ::testing::Test {
 protected:
  void SetUp() override {
    http::Router router;
    router.add("GET", "/trace", echo_trace);
    router.add("GET", "/slow", slow);
    http::ServerOptions o;
    o.port = 0;
    server_ = std::make_unique<http::Server>(runtime_, o, std::move(router));
    server_->start();
    thread_ = std::thread([this] { runtime_.run(); });
  }
  void TearDown() override {
    std::promise<void> drained;
    asio::post(runtime_.context(0), [&] {
      server_->drain([&] {
        runtime_.stop();
        drained.set_value();
      });
    });
    drained.get_future().wait();
    thread_.join();
  }
  std::string url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(server_->port()) + path;
  }

  Runtime runtime_{1};
  std::unique_ptr<http::Server> server_;
  std::thread thread_;
};
}  // namespace

TEST_F(ChassisHttp, OutgoingCallsCarryTheTraceAsAChildSpan) {
  auto parent = telemetry::TraceContext::child_of(std::nullopt);
  http::ClientRequest r;
  r.url = url("/trace");
  r.trace = &parent;
  auto got = http::BlockingClient().send(r).json().as_object();
  EXPECT_EQ(got.at("trace_id").as_string(), parent.trace_id);
  // The hop made a span of its own between ours and the server's.
  auto sent = telemetry::TraceContext::parse(std::string(got.at("traceparent").as_string()));
  ASSERT_TRUE(sent);
  EXPECT_EQ(sent->trace_id, parent.trace_id);
  EXPECT_NE(sent->span_id, parent.span_id);
  EXPECT_EQ(got.at("parent_span_id").as_string(), sent->span_id);
}

TEST_F(ChassisHttp, KeepAliveConnectionsAreReused) {
  http::BlockingClient client;
  auto& opened = telemetry::default_registry().gauge("http_server_open_connections",
                                                     "Number of open client connections");
  for (int i = 0; i < 20; ++i) ASSERT_EQ(client.get(url("/trace")).status, 200);
  EXPECT_EQ(opened.value(), 1.0);  // twenty requests, one connection
}

TEST_F(ChassisHttp, TheDeadlineEndsASlowCall) {
  http::ClientRequest r;
  r.url = url("/slow");  // answers after 300 ms
  try {
    http::BlockingClient().send(r, 100ms);
    FAIL() << "no timeout";
  } catch (const http::ClientError& e) {
    EXPECT_EQ(e.kind, http::ClientError::Kind::timeout);
  }
}

TEST_F(ChassisHttp, ARefusedConnectionIsAConnectError) {
  http::ClientRequest r;
  r.url = "http://127.0.0.1:1/nothing";
  try {
    http::BlockingClient().send(r, 1s);
    FAIL() << "connected";
  } catch (const http::ClientError& e) {
    EXPECT_EQ(e.kind, http::ClientError::Kind::connect);
  }
  r.url = "ftp://example/";
  EXPECT_THROW(http::BlockingClient().send(r, 1s), http::ClientError);
}
