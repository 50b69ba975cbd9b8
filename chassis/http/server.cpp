#include "chassis/http/server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <ctime>
#include <list>
#include <optional>
#include <thread>
#include <unordered_map>

#include "chassis/core/config.hpp"
#include "chassis/core/errors.hpp"
#include "chassis/core/log.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

ServerOptions defaults() { return {}; }

// Per-connection state that drain() needs to see: an idle connection is closed at once,
// a busy one after its response.
// Per-connection state that the worker's ticker and drain() need to see. Timeouts are
// deadlines checked by one ticker per worker, not a kernel timer armed per read and write.
struct Session {
  tcp::socket* sock;
  Clock::time_point deadline = Clock::time_point::max();
  bool timed_out = false;
  bool busy = false;  // an idle connection is closed at once on drain, a busy one after its answer
};

struct Worker {
  explicit Worker(asio::io_context& c) : ioc(c) {}
  asio::io_context& ioc;
  std::optional<tcp::acceptor> acceptor;
  std::list<Session*> sessions;
  std::unordered_map<std::string, telemetry::Histogram*> durations;  // no lock: one thread
  Clock::time_point now = Clock::now();  // refreshed by the ticker and after each read
};

constexpr auto kTick = std::chrono::milliseconds(50);

// Cancels the pending operation of every session whose deadline has passed.
asio::awaitable<void> tick(Worker* w) {
  asio::steady_timer t(w->ioc);
  for (;;) {
    t.expires_after(kTick);
    auto [ec] = co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
    if (ec) co_return;
    w->now = Clock::now();
    for (Session* s : w->sessions) {
      if (!s->timed_out && s->deadline <= w->now) {
        s->timed_out = true;
        beast::error_code ignored;
        s->sock->cancel(ignored);
      }
    }
  }
}

// "Sat, 21 Nov 2026 08:35:03 GMT", formatted once a second per thread.
std::string_view http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local char buf[40];
  std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_at = now;
  }
  return buf;
}

int status_for_read_error(const beast::error_code& ec) {
  if (ec == bhttp::error::header_limit) return 431;
  if (ec == bhttp::error::body_limit) return 413;
  if (ec == beast::error::timeout) return 408;
  return 400;
}

std::string_view detail_for_status(int status, const ServerOptions& o, std::string& scratch) {
  switch (status) {
    case 431:
      scratch = "request headers exceed " + std::to_string(o.header_limit) + " bytes";
      return scratch;
    case 413:
      scratch = "request body exceeds " + std::to_string(o.body_limit) + " bytes";
      return scratch;
    case 408:
      return "the request was not received in time";
    default:
      return "malformed HTTP request";
  }
}
}  // namespace

ServerOptions ServerOptions::from_env(unsigned short default_port) {
  ServerOptions o = defaults();
  o.bind_address = config::string("BIND_ADDRESS", o.bind_address);
  o.port = static_cast<unsigned short>(config::integer("PORT", default_port, 0, 65535));
  o.header_limit = static_cast<std::size_t>(
      config::integer("HTTP_HEADER_LIMIT", static_cast<long long>(o.header_limit), 1024, 1 << 20));
  o.body_limit = static_cast<std::size_t>(
      config::integer("HTTP_BODY_LIMIT", static_cast<long long>(o.body_limit), 0, 1LL << 30));
  o.read_timeout = config::duration("HTTP_READ_TIMEOUT", o.read_timeout);
  o.idle_timeout = config::duration("HTTP_IDLE_TIMEOUT", o.idle_timeout);
  o.drain_timeout = config::duration("HTTP_DRAIN_TIMEOUT", o.drain_timeout);
  o.max_connections = static_cast<std::size_t>(config::integer(
      "HTTP_MAX_CONNECTIONS", static_cast<long long>(o.max_connections), 1, 1'000'000));
  return o;
}

struct Server::Impl {
  Impl(Runtime& r, ServerOptions o, Router rt)
      : runtime(r),
        opt(std::move(o)),
        router(std::move(rt)),
        active_requests(telemetry::default_registry().gauge(
            "http_server_active_requests", "Number of HTTP requests being handled")),
        open_connections(telemetry::default_registry().gauge("http_server_open_connections",
                                                             "Number of open client connections")),
        rejected_connections(telemetry::default_registry().counter(
            "http_server_rejected_connections_total",
            "Connections refused because the connection cap was reached")) {}

  Runtime& runtime;
  ServerOptions opt;
  Router router;
  std::vector<std::unique_ptr<Worker>> workers;
  std::atomic<std::size_t> connections{0};
  std::atomic<bool> draining{false};
  unsigned short bound_port = 0;
  telemetry::Gauge& active_requests;
  telemetry::Gauge& open_connections;
  telemetry::Counter& rejected_connections;

  telemetry::Histogram& duration_histogram(Worker& w, std::string_view method,
                                           std::string_view route, int status) {
    std::string key;
    key.reserve(method.size() + route.size() + 6);
    key.append(method).push_back(' ');
    key.append(route).push_back(' ');
    key.append(std::to_string(status));
    auto it = w.durations.find(key);
    if (it != w.durations.end()) return *it->second;
    auto& h = telemetry::default_registry().histogram(
        "http_server_request_duration_seconds", "Duration of HTTP server requests",
        {{"http_request_method", std::string(method)},
         {"http_route", std::string(route)},
         {"http_response_status_code", std::to_string(status)}},
        telemetry::latency_buckets());
    w.durations.emplace(std::move(key), &h);
    return h;
  }

  void record(Worker& w, std::string_view method, std::string_view route, int status,
              Clock::time_point start, const telemetry::TraceContext* trace,
              std::string_view request_id = {}) {
    double secs = std::chrono::duration<double>(Clock::now() - start).count();
    duration_histogram(w, method, route, status).observe(secs);
    log::TraceIds ids;
    if (trace != nullptr) ids = trace->ids();
    // Microsecond precision is plenty and keeps the lines short.
    double ms = static_cast<double>(static_cast<long long>(secs * 1e6)) / 1000.0;
    const log::TraceIds* t = trace != nullptr ? &ids : nullptr;
    if (request_id.empty()) {
      log::info("request",
                {{"method", method}, {"route", route}, {"status", status}, {"duration_ms", ms}}, t);
    } else {
      log::info("request",
                {{"method", method},
                 {"route", route},
                 {"status", status},
                 {"duration_ms", ms},
                 {"request_id", request_id}},
                t);
    }
  }
};

namespace {

// Writes the whole response into `out` by hand: one buffer, one send, none of the
// serializer's per-field bookkeeping (measured: a third of the CPU per request).
void serialize(Response& r, unsigned version, bool keep_alive, std::string_view request_id,
               std::string& out) {
  out.clear();
  out.append(version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  out.append(std::to_string(r.status)).push_back(' ');
  out.append(reason_phrase(r.status)).append("\r\nDate: ");
  out.append(http_date()).append("\r\n");
  bool bodiless = r.status == 204 || r.status == 304 || r.status < 200;
  if (!r.content_type.empty() && !bodiless)
    out.append("Content-Type: ").append(r.content_type).append("\r\n");
  for (const auto& [k, v] : r.headers) out.append(k).append(": ").append(v).append("\r\n");
  if (!request_id.empty()) out.append("X-Request-ID: ").append(request_id).append("\r\n");
  if (!keep_alive && version == 11) out.append("Connection: close\r\n");
  if (keep_alive && version == 10) out.append("Connection: keep-alive\r\n");
  if (!bodiless)
    out.append("Content-Length: ").append(std::to_string(r.body.size())).append("\r\n");
  out.append("\r\n");
  if (!bodiless) out.append(r.body);
}

// Echoed only when it is a plain token: it goes back into our response headers and logs.
std::string_view safe_request_id(std::string_view id) {
  if (id.size() > 200) return {};
  for (char c : id)
    if (static_cast<unsigned char>(c) < 0x21 || c == 0x7F) return {};
  return id;
}

Request to_request(bhttp::request<bhttp::string_body>& in) {
  Request req;
  req.method = std::string(in.method_string());
  req.target = std::string(in.target());
  auto q = req.target.find('?');
  req.path = req.target.substr(0, q);
  if (q != std::string::npos) req.query = req.target.substr(q + 1);
  req.headers.reserve(8);
  for (const auto& f : in) req.headers.emplace_back(f.name_string(), f.value());
  req.body = std::move(in.body());
  req.trace = telemetry::TraceContext::child_of(
      telemetry::TraceContext::parse(find_header(req.headers, "traceparent")));
  return req;
}

asio::awaitable<Response> dispatch(Router::Match m, Request req) {
  if (m.status == 404) co_return problem(404, "no route for " + req.path);
  if (m.status == 405) {
    Response r = problem(405, "method " + req.method + " is not allowed on " + req.path);
    r.headers.emplace_back("Allow", m.allow);
    co_return r;
  }
  req.route = *m.route;
  auto trace = req.trace;
  bool transient = false;
  try {
    co_return co_await (*m.handler)(std::move(req));
  } catch (const Failure& e) {
    transient = e.transient();
    auto ids = trace.ids();
    log::error("handler failed", {{"error", e.what()}, {"transient", transient}}, &ids);
  } catch (const std::exception& e) {
    auto ids = trace.ids();
    log::error("handler failed", {{"error", e.what()}}, &ids);
  }
  if (transient) {
    Response r = problem(503, "a dependency of this service is unavailable; retry later");
    r.headers.emplace_back("Retry-After", "1");
    co_return r;
  }
  co_return problem(500, "internal error; see the service log for this trace id");
}

// After an error response the client may still be sending its body; closing with unread
// data would reset the connection before it reads our answer. So: stop sending, read and
// discard for a short while, then close.
asio::awaitable<void> lingering_close(Session* self) {
  beast::error_code ec;
  self->sock->shutdown(tcp::socket::shutdown_send, ec);
  self->deadline = Clock::now() + std::chrono::seconds(2);
  static thread_local char sink[16 * 1024];
  std::size_t total = 0;
  while (total < (64u << 20) && !self->timed_out) {
    auto [rec, n] = co_await self->sock->async_read_some(asio::buffer(sink), nothrow);
    if (rec) break;
    total += n;
  }
  self->sock->close(ec);
}

asio::awaitable<void> write_error_and_close(Server::Impl* impl, Worker* w, Session* self,
                                            int status, std::string_view method,
                                            Clock::time_point start) {
  std::string scratch;
  Response r = problem(status, detail_for_status(status, impl->opt, scratch));
  std::string wire;
  serialize(r, 11, false, {}, wire);
  self->timed_out = false;
  self->deadline = Clock::now() + impl->opt.read_timeout;
  co_await asio::async_write(*self->sock, asio::buffer(wire), nothrow);
  impl->record(*w, method.empty() ? "_OTHER" : method, "unmatched", status, start, nullptr);
  co_await lingering_close(self);
}

asio::awaitable<void> reject_connection(tcp::socket sock) {
  static constexpr std::string_view kBusy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\n"
      "Connection: close\r\nRetry-After: 1\r\nContent-Length: 110\r\n\r\n"
      "{\"type\":\"about:blank\",\"title\":\"Service Unavailable\",\"status\":503,"
      "\"detail\":\"connection limit reached\"}";
  co_await asio::async_write(sock, asio::buffer(kBusy), nothrow);
  beast::error_code ec;
  sock.shutdown(tcp::socket::shutdown_both, ec);
}

// Reads more bytes into `buf`; false on EOF, error, timeout or drain.
asio::awaitable<bool> read_more(Session* self, beast::flat_buffer* buf) {
  auto [ec, n] = co_await self->sock->async_read_some(buf->prepare(8192), nothrow);
  if (ec) co_return false;
  buf->commit(n);
  co_return true;
}

enum class ReadOutcome { complete, closed, failed };

// Parses one request from `buf`, reading more as needed. The parse runs on bytes already
// received, so a request that arrived whole costs no further trip through the event loop.
asio::awaitable<ReadOutcome> read_request(Session* self, beast::flat_buffer* buf,
                                          bhttp::request_parser<bhttp::string_body>* parser,
                                          int* error_status) {
  bool continue_sent = false;
  for (;;) {
    beast::error_code ec;
    std::size_t used = buf->size() == 0 ? 0 : parser->put(buf->data(), ec);
    buf->consume(used);
    if (buf->size() == 0 && !ec && !parser->is_done()) ec = bhttp::error::need_more;
    if (!ec && parser->is_done()) co_return ReadOutcome::complete;
    if (ec && ec != bhttp::error::need_more) {
      *error_status = status_for_read_error(ec);
      co_return ReadOutcome::failed;
    }
    if (parser->is_header_done() && !continue_sent &&
        beast::iequals(parser->get()[bhttp::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      co_await asio::async_write(*self->sock, asio::buffer(kContinue), nothrow);
      continue_sent = true;
    }
    if (!co_await read_more(self, buf)) {
      if (self->timed_out) {
        *error_status = 408;
        co_return ReadOutcome::failed;
      }
      co_return ReadOutcome::closed;
    }
  }
}

asio::awaitable<void> run_session(Server::Impl* impl, Worker* w, tcp::socket sock) {
  const ServerOptions& opt = impl->opt;
  beast::error_code ignored;
  sock.set_option(tcp::no_delay(true), ignored);
  Session self{&sock};
  auto registered = w->sessions.insert(w->sessions.end(), &self);
  impl->open_connections.inc();
  beast::flat_buffer buf;
  std::string wire;  // the response being sent; its capacity is reused across requests

  for (;;) {
    if (impl->draining.load()) break;
    if (buf.size() == 0) {
      self.deadline = w->now + opt.idle_timeout;
      if (!co_await read_more(&self, &buf)) break;  // peer closed, idle timeout, or drain
    }
    self.busy = true;
    auto start = Clock::now();
    w->now = start;
    self.deadline = start + opt.read_timeout;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opt.header_limit));
    parser.body_limit(opt.body_limit);
    parser.eager(true);
    int error_status = 0;
    auto outcome = co_await read_request(&self, &buf, &parser, &error_status);
    if (outcome == ReadOutcome::closed) break;
    if (outcome == ReadOutcome::failed) {
      std::string method =
          parser.is_header_done() ? std::string(parser.get().method_string()) : std::string();
      co_await write_error_and_close(impl, w, &self, error_status, method, start);
      break;
    }
    self.deadline = Clock::time_point::max();  // the handler has its own deadlines

    auto& in = parser.get();
    unsigned version = in.version();
    std::string request_id(safe_request_id(in["X-Request-ID"]));
    bool keep_alive = in.keep_alive();
    Request req = to_request(in);
    auto trace = req.trace;
    std::string method = req.method;

    impl->active_requests.inc();
    auto m = impl->router.match(req.method, req.path, req.params);
    std::string route = m.route != nullptr ? *m.route : "unmatched";
    Response r = co_await dispatch(m, std::move(req));
    impl->active_requests.dec();

    keep_alive = keep_alive && !impl->draining.load();
    serialize(r, version, keep_alive, request_id, wire);
    self.deadline = Clock::now() + opt.read_timeout;
    auto [wec, wn] = co_await asio::async_write(sock, asio::buffer(wire), nothrow);
    impl->record(*w, method, route, r.status, start, &trace, request_id);
    self.busy = false;
    if (wec || !keep_alive || self.timed_out) break;
  }

  w->sessions.erase(registered);
  sock.shutdown(tcp::socket::shutdown_send, ignored);
  sock.close(ignored);
  impl->open_connections.dec();
  impl->connections.fetch_sub(1);
}

asio::awaitable<void> accept_loop(Server::Impl* impl, Worker* w) {
  for (;;) {
    auto [ec, sock] = co_await w->acceptor->async_accept(nothrow);
    if (impl->draining.load() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      log::warn("accept failed", {{"error", ec.message()}});
      asio::steady_timer t(w->ioc, std::chrono::milliseconds(50));
      co_await t.async_wait(nothrow);
      continue;
    }
    if (impl->connections.fetch_add(1) >= impl->opt.max_connections) {
      impl->connections.fetch_sub(1);
      impl->rejected_connections.inc();
      asio::co_spawn(w->ioc, reject_connection(std::move(sock)), asio::detached);
      continue;
    }
    asio::co_spawn(w->ioc, run_session(impl, w, std::move(sock)), asio::detached);
  }
}

asio::awaitable<void> wait_for_drain(Server::Impl* impl, std::function<void()> done) {
  asio::steady_timer t(impl->runtime.context(0));
  auto deadline = Clock::now() + impl->opt.drain_timeout;
  while (impl->connections.load() > 0 && Clock::now() < deadline) {
    t.expires_after(std::chrono::milliseconds(20));
    co_await t.async_wait(nothrow);
  }
  std::size_t left = impl->connections.load();
  if (left > 0) log::warn("drain timeout; closing connections", {{"connections", left}});
  log::info("drained", {{"connections_left", left}});
  if (done) done();
}
}  // namespace

Server::Server(Runtime& runtime, ServerOptions options, Router router)
    : impl_(std::make_unique<Impl>(runtime, std::move(options), std::move(router))) {}

Server::~Server() = default;

void Server::start() {
  auto& o = impl_->opt;
  auto address = asio::ip::make_address(o.bind_address);
  unsigned short port = o.port;
  for (std::size_t i = 0; i < impl_->runtime.size(); ++i) {
    auto w = std::make_unique<Worker>(impl_->runtime.context(i));
    w->acceptor.emplace(w->ioc);
    tcp::endpoint ep(address, port);
    beast::error_code ec;
    w->acceptor->open(ep.protocol(), ec);
    if (!ec) w->acceptor->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) {
      // Every worker gets its own accept queue; the kernel spreads connections across them.
      int one = 1;
      if (::setsockopt(w->acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) !=
          0)
        ec = beast::error_code(errno, boost::system::system_category());
    }
    if (!ec) w->acceptor->bind(ep, ec);
    if (!ec) w->acceptor->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      throw std::runtime_error("http: cannot listen on " + o.bind_address + ":" +
                               std::to_string(port) + ": " + ec.message());
    }
    // Port 0 asks the kernel for one; the other workers must join that same port.
    port = w->acceptor->local_endpoint().port();
    impl_->workers.push_back(std::move(w));
  }
  impl_->bound_port = port;
  for (auto& w : impl_->workers) {
    asio::co_spawn(w->ioc, accept_loop(impl_.get(), w.get()), asio::detached);
    asio::co_spawn(w->ioc, tick(w.get()), asio::detached);
  }
  log::info("listening", {{"address", o.bind_address},
                          {"port", static_cast<int>(port)},
                          {"workers", impl_->runtime.size()}});
}

void Server::drain(std::function<void()> done) {
  if (impl_->draining.exchange(true)) return;
  log::info("draining", {{"connections", impl_->connections.load()}});
  for (auto& wp : impl_->workers) {
    Worker* w = wp.get();
    asio::post(w->ioc, [w] {
      beast::error_code ec;
      w->acceptor->close(ec);
      for (Session* s : w->sessions)
        if (!s->busy) s->sock->cancel(ec);
    });
  }
  asio::co_spawn(impl_->runtime.context(0), wait_for_drain(impl_.get(), std::move(done)),
                 asio::detached);
}

unsigned short Server::port() const { return impl_->bound_port; }

void run_until_signal(Runtime& runtime, Server& server, std::function<void()> on_drained) {
  asio::signal_set signals(runtime.context(0), SIGINT, SIGTERM);
  bool stopping = false;
  std::thread finisher;
  std::function<void(const beast::error_code&, int)> on_signal;
  on_signal = [&](const beast::error_code& ec, int sig) {
    if (ec) return;
    if (stopping) {
      log::warn("second signal; stopping now", {{"signal", sig}});
      runtime.stop();
      return;
    }
    stopping = true;
    log::info("shutdown requested", {{"signal", sig}});
    server.drain([&] {
      // On a thread of its own, while the workers still run: consumers and relays being
      // stopped there finish their work on the workers' executors.
      finisher = std::thread([&] {
        if (on_drained) on_drained();
        runtime.stop();
      });
    });
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  runtime.run();
  if (finisher.joinable()) finisher.join();
}

}  // namespace bazaar::http
