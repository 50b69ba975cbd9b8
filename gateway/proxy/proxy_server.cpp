// Listeners: one acceptor per worker and port (SO_REUSEPORT spreads connections over the
// workers' accept queues), TLS 1.2+ when configured, and the drain on shutdown.
#include "gateway/proxy/proxy_server.hpp"

#include <openssl/ssl.h>
#include <sys/socket.h>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "chassis/core/log.hpp"
#include "gateway/proxy/exchange.hpp"

namespace bazaar::gateway::proxy {

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

tcp::acceptor listen_on(asio::io_context& ioc, const std::string& address, std::uint16_t port) {
  tcp::acceptor acceptor(ioc);
  const tcp::endpoint endpoint(asio::ip::make_address(address), port);
  boost::system::error_code ec;
  acceptor.open(endpoint.protocol(), ec);
  if (!ec) acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) {
    int one = 1;
    if (::setsockopt(acceptor.native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
      ec = boost::system::error_code(errno, boost::system::system_category());
  }
  if (!ec) acceptor.bind(endpoint, ec);
  if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    throw std::runtime_error("gateway: cannot listen on " + address + ":" + std::to_string(port) +
                             ": " + ec.message());
  return acceptor;
}

asio::awaitable<void> serve_tls(ProxyServer::State* state, Worker* worker, tcp::socket socket,
                                std::uint16_t port, std::string client_ip) {
  asio::ssl::stream<beast::tcp_stream> tls(beast::tcp_stream(std::move(socket)),
                                           *state->tls_context);
  tls.next_layer().expires_after(state->options.read_timeout);
  auto [ec] = co_await tls.async_handshake(asio::ssl::stream_base::server, nothrow);
  if (ec) {
    log::debug("tls handshake failed", {{"error", ec.message()}, {"client_ip", client_ip}});
    state->connections.fetch_sub(1);
    co_return;
  }
  auto stream = std::make_unique<TlsStream>(std::move(tls));
  co_await serve_connection(state, worker, std::move(stream), "https", port, std::move(client_ip));
}

asio::awaitable<void> accept_loop(ProxyServer::State* state, Worker* worker, bool tls) {
  tcp::acceptor& acceptor = tls ? *worker->tls : *worker->plain;
  const std::uint16_t port = acceptor.local_endpoint().port();
  for (;;) {
    auto [ec, socket] = co_await acceptor.async_accept(nothrow);
    if (state->draining.load() || ec == asio::error::operation_aborted) co_return;
    if (ec) {
      // Out of descriptors and the like: back off instead of spinning.
      log::warn("accept failed", {{"error", ec.message()}});
      asio::steady_timer pause(worker->ioc, std::chrono::milliseconds(50));
      co_await pause.async_wait(nothrow);
      continue;
    }
    boost::system::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const auto peer = socket.remote_endpoint(ignored);
    std::string client_ip = ignored ? std::string() : peer.address().to_string();
    state->connections.fetch_add(1);
    state->accepted.fetch_add(1);
    if (tls) {
      asio::co_spawn(worker->ioc,
                     serve_tls(state, worker, std::move(socket), port, std::move(client_ip)),
                     asio::detached);
    } else {
      auto stream = std::make_unique<PlainStream>(std::move(socket));
      asio::co_spawn(
          worker->ioc,
          serve_connection(state, worker, std::move(stream), "http", port, std::move(client_ip)),
          asio::detached);
    }
  }
}

asio::awaitable<void> wait_for_drain(ProxyServer::State* state, std::function<void()> done) {
  asio::steady_timer timer(state->runtime.context(0));
  const auto deadline = Clock::now() + state->options.drain_timeout;
  while (state->connections.load() > 0 && Clock::now() < deadline) {
    timer.expires_after(std::chrono::milliseconds(20));
    co_await timer.async_wait(nothrow);
  }
  const std::size_t left = state->connections.load();
  if (left > 0) log::warn("drain timeout; closing connections", {{"connections", left}});
  log::info("drained", {{"connections_left", left}});
  if (done) done();
}

std::unique_ptr<asio::ssl::context> make_tls_context(const ProxyOptions& options) {
  auto context = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
  SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
  context->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                       asio::ssl::context::no_sslv3 | asio::ssl::context::single_dh_use);
  boost::system::error_code ec;
  context->use_certificate_chain_file(options.tls_cert_file, ec);
  if (ec)
    throw std::runtime_error("gateway: TLS_CERT_FILE '" + options.tls_cert_file +
                             "': " + ec.message());
  context->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
  if (ec)
    throw std::runtime_error("gateway: TLS_KEY_FILE '" + options.tls_key_file +
                             "': " + ec.message());
  return context;
}

}  // namespace

ProxyServer::ProxyServer(Runtime& runtime, ProxyOptions options, SnapshotHolder& snapshots,
                         ProxyMetrics& metrics)
    : state_(std::make_unique<State>(runtime, std::move(options), snapshots, metrics)) {}

ProxyServer::~ProxyServer() = default;

void ProxyServer::start() {
  State& s = *state_;
  if (s.options.tls_port) s.tls_context = make_tls_context(s.options);
  std::uint16_t port = s.options.port;
  std::optional<std::uint16_t> tls_port = s.options.tls_port;
  for (std::size_t i = 0; i < s.runtime.size(); ++i) {
    auto worker = std::make_unique<Worker>(s.runtime.context(i), s.options);
    worker->plain.emplace(listen_on(worker->ioc, s.options.bind_address, port));
    // Port 0 asks the kernel for one; the other workers must join that same port.
    port = worker->plain->local_endpoint().port();
    if (tls_port) {
      worker->tls.emplace(listen_on(worker->ioc, s.options.bind_address, *tls_port));
      tls_port = worker->tls->local_endpoint().port();
    }
    s.workers.push_back(std::move(worker));
  }
  s.bound_port = port;
  s.bound_tls_port = tls_port;
  for (auto& worker : s.workers) {
    asio::co_spawn(worker->ioc, accept_loop(&s, worker.get(), false), asio::detached);
    if (worker->tls)
      asio::co_spawn(worker->ioc, accept_loop(&s, worker.get(), true), asio::detached);
  }
  log::info("proxy listening", {{"address", s.options.bind_address},
                                {"port", static_cast<int>(port)},
                                {"tls_port", tls_port ? static_cast<int>(*tls_port) : -1},
                                {"workers", s.runtime.size()}});
}

void ProxyServer::drain(std::function<void()> done) {
  State& s = *state_;
  if (s.draining.exchange(true)) return;
  log::info("draining", {{"connections", s.connections.load()}});
  for (auto& worker_ptr : s.workers) {
    Worker* worker = worker_ptr.get();
    asio::post(worker->ioc, [worker] {
      boost::system::error_code ignored;
      if (worker->plain) worker->plain->close(ignored);
      if (worker->tls) worker->tls->close(ignored);
      for (Session* session : worker->sessions)
        if (!session->busy) session->socket->cancel(ignored);
    });
  }
  asio::co_spawn(s.runtime.context(0), wait_for_drain(&s, std::move(done)), asio::detached);
}

std::uint16_t ProxyServer::port() const { return state_->bound_port; }
std::optional<std::uint16_t> ProxyServer::tls_port() const { return state_->bound_tls_port; }

ConnectionStats ProxyServer::stats() const {
  return {state_->connections.load(), state_->accepted.load(), state_->requests.load()};
}

}  // namespace bazaar::gateway::proxy
