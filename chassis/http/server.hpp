#pragma once
// The HTTP/1.1 server every service runs: keep-alive, one acceptor per worker (SO_REUSEPORT),
// limits with clear errors, problem+json, access log, metrics, trace context, graceful drain.
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "chassis/core/runtime.hpp"
#include "chassis/http/router.hpp"

namespace bazaar::http {

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  unsigned short port = 8080;
  std::size_t header_limit = 16 * 1024;
  std::size_t body_limit = 1024 * 1024;
  std::chrono::milliseconds read_timeout{10'000};   // first byte → whole request
  std::chrono::milliseconds idle_timeout{60'000};   // keep-alive wait for the next request
  std::chrono::milliseconds drain_timeout{25'000};  // SIGTERM → forced close
  std::size_t max_connections = 10'000;

  // BIND_ADDRESS, PORT, HTTP_HEADER_LIMIT, HTTP_BODY_LIMIT, HTTP_READ_TIMEOUT,
  // HTTP_IDLE_TIMEOUT, HTTP_DRAIN_TIMEOUT, HTTP_MAX_CONNECTIONS.
  static ServerOptions from_env(unsigned short default_port);
};

class Server {
 public:
  Server(Runtime& runtime, ServerOptions options, Router router);
  ~Server();

  // Binds on every worker; throws with a clear message when the port is taken.
  void start();
  // Stops accepting, lets in-flight requests finish (idle keep-alive connections are closed),
  // then calls `done` on worker 0. Safe to call from any worker thread.
  void drain(std::function<void()> done);
  unsigned short port() const;

  struct Impl;  // opaque; public so the connection code in server.cpp can name it

 private:
  std::unique_ptr<Impl> impl_;
};

// Runs `runtime` until SIGTERM or SIGINT, then drains `server`, calls `on_drained` on a thread
// of its own while the workers still run (stop consumers, flush the outbox relay and
// producers there), stops the workers and returns. The usual tail of a service's main().
void run_until_signal(Runtime& runtime, Server& server, std::function<void()> on_drained = {});

}  // namespace bazaar::http
