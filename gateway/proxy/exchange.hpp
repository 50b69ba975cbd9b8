#pragma once
// Internal to gateway/proxy (.cpp files only): the state of one client request while it is
// handled, shared by the client side (client_connection.cpp) and the upstream side
// (forward.cpp), and the pieces of HTTP both sides use.
#include <atomic>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/parser.hpp>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chassis/telemetry/trace.hpp"
#include "gateway/proxy/access_phase.hpp"
#include "gateway/proxy/dns_cache.hpp"
#include "gateway/proxy/proxy_server.hpp"
#include "gateway/proxy/stream.hpp"
#include "gateway/proxy/upstream_pool.hpp"

namespace boost::asio::ssl {
class context;
}

namespace bazaar::gateway::proxy {

namespace bhttp = beast::http;
using Clock = std::chrono::steady_clock;
using RequestParser = bhttp::request_parser<bhttp::buffer_body>;
using ResponseParser = bhttp::response_parser<bhttp::buffer_body>;

// A client connection as drain() sees it: idle ones are closed at once.
struct Session {
  tcp::socket* socket = nullptr;
  bool busy = false;
};

struct Worker {
  Worker(asio::io_context& context, const ProxyOptions& options)
      : ioc(context),
        pool(options.upstream_keepalive_per_endpoint, options.upstream_keepalive_idle) {}
  asio::io_context& ioc;
  std::optional<tcp::acceptor> plain;
  std::optional<tcp::acceptor> tls;
  std::list<Session*> sessions;
  UpstreamPool pool;
  DnsCache dns;
};

struct ProxyServer::State {
  State(Runtime& r, ProxyOptions o, SnapshotHolder& s, ProxyMetrics& m)
      : runtime(r), options(std::move(o)), snapshots(s), metrics(m) {}
  Runtime& runtime;
  ProxyOptions options;
  SnapshotHolder& snapshots;
  ProxyMetrics& metrics;
  std::unique_ptr<asio::ssl::context> tls_context;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> connections{0};
  std::atomic<std::uint64_t> accepted{0};
  std::atomic<std::uint64_t> requests{0};
  std::atomic<bool> draining{false};
  std::uint16_t bound_port = 0;
  std::optional<std::uint16_t> bound_tls_port;
};

struct Exchange {
  ProxyServer::State* state = nullptr;
  Worker* worker = nullptr;
  Stream* client = nullptr;
  beast::flat_buffer* client_buffer = nullptr;
  // Beast's parser of the client's request, whose body may still be unread; nullptr when the
  // head was a plain one (plain_request_head.hpp), which has no body.
  std::unique_ptr<RequestParser> parser;
  std::string scheme;
  std::uint16_t local_port = 0;
  std::string client_ip;
  unsigned version = 11;
  bool client_keep_alive = true;
  bool body_buffered = true;  // access.request.body holds the whole body (or there is none)
  bool expect_continue = false;
  std::shared_ptr<const Snapshot> snapshot;
  routing::Match match;
  AccessResult access;
  std::string original_path;
  std::string host_header;
  std::string request_id;
  telemetry::TraceContext trace;
  bool had_traceparent = false;
  Clock::time_point start;

  // What happened, for the response, the log and the metrics.
  int status = 0;
  std::optional<double> upstream_ms;
  std::optional<double> kong_ms;
  std::string upstream_address;
  int tries = 0;
  std::string error;
  bool close_connection = false;  // the client connection cannot carry another request
};

// Whether the client's request has been read whole.
inline bool request_read_whole(const Exchange& x) { return !x.parser || x.parser->is_done(); }

struct BodyPiece {
  std::size_t bytes = 0;
  bool done = false;
  boost::system::error_code ec;
};

// The next piece of a message body, at most `capacity` bytes into `out`; reads more from
// `stream` as needed. done: the body is complete (bytes may still be > 0 for the last piece).
asio::awaitable<BodyPiece> next_request_body_piece(Stream* stream, beast::flat_buffer* buffer,
                                                   RequestParser* parser, char* out,
                                                   std::size_t capacity);
asio::awaitable<BodyPiece> next_response_body_piece(Stream* stream, beast::flat_buffer* buffer,
                                                    ResponseParser* parser, char* out,
                                                    std::size_t capacity);

// "Sat, 21 Nov 2026 08:35:03 GMT", formatted once a second per thread.
std::string_view http_date();
std::string_view reason_phrase(int status);
double ms_since(Clock::time_point start);

// Writes a response the gateway generates (Kong's JSON bodies); false when the write failed.
asio::awaitable<bool> write_gateway_response(Exchange* exchange, GatewayResponse response);

// Sends the request to the service's upstream and streams the answer back to the client.
asio::awaitable<void> forward_to_upstream(Exchange* exchange);

// Serves one client connection until it closes, times out or the server drains.
asio::awaitable<void> serve_connection(ProxyServer::State* state, Worker* worker,
                                       std::unique_ptr<Stream> stream, std::string scheme,
                                       std::uint16_t local_port, std::string client_ip);

}  // namespace bazaar::gateway::proxy
