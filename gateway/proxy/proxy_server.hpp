#pragma once
// The proxy listeners (HTTP and, when configured, HTTPS): one acceptor per worker on the same
// port (SO_REUSEPORT), keep-alive client connections, the plugins' access phase, and
// streaming to and from the upstreams. Asio stays behind this interface.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "chassis/core/runtime.hpp"
#include "gateway/proxy/proxy_metrics.hpp"
#include "gateway/proxy/snapshot.hpp"

namespace bazaar::gateway::proxy {

struct ProxyOptions {
  std::string bind_address = "127.0.0.1";
  std::uint16_t port = 8000;
  std::optional<std::uint16_t> tls_port;  // set together with the two files
  std::string tls_cert_file;
  std::string tls_key_file;
  std::size_t max_header_bytes = 32 * 1024;
  std::size_t max_body_bytes = 8 * 1024 * 1024;
  std::chrono::milliseconds read_timeout{60'000};   // nginx client_header/body_timeout
  std::chrono::milliseconds idle_timeout{60'000};   // nginx keepalive_timeout
  std::chrono::milliseconds drain_timeout{25'000};  // SIGTERM -> forced close
  std::size_t upstream_keepalive_per_endpoint = 64;
  std::chrono::milliseconds upstream_keepalive_idle{30'000};
};

struct ConnectionStats {
  std::size_t active = 0;
  std::uint64_t accepted = 0;
  std::uint64_t requests = 0;
};

class ProxyServer {
 public:
  ProxyServer(Runtime& runtime, ProxyOptions options, SnapshotHolder& snapshots,
              ProxyMetrics& metrics);
  ~ProxyServer();

  // Binds every worker; throws std::runtime_error naming the address, port or TLS file.
  void start();
  // Stops accepting, closes idle connections, lets requests in flight finish, then calls
  // `done` on worker 0 (after drain_timeout at the latest).
  void drain(std::function<void()> done);

  std::uint16_t port() const;
  std::optional<std::uint16_t> tls_port() const;
  ConnectionStats stats() const;

  struct State;  // public so the connection code can name it

 private:
  std::unique_ptr<State> state_;
};

}  // namespace bazaar::gateway::proxy
