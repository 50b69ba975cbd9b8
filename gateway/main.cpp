// gateway: Kong-compatible API gateway. Loads the declarative file, serves the proxy (PORT,
// and TLS_PORT when a certificate is given) and the status listener (STATUS_PORT), reloads
// on SIGHUP, drains on SIGTERM/SIGINT.
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/core/runtime.hpp"
#include "chassis/http/server.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/proxy/proxy_server.hpp"
#include "gateway/proxy/status_routes.hpp"

using namespace bazaar;
namespace gateway = bazaar::gateway;
namespace proxy = bazaar::gateway::proxy;
namespace env = bazaar::config;

namespace {

struct Settings {
  std::string declarative_config;
  log::Level log_level = log::Level::info;
  std::size_t threads = 1;
  std::uint16_t status_port = 8100;
  proxy::ProxyOptions proxy;
};

std::uint16_t port_from(const char* name, long long fallback) {
  return static_cast<std::uint16_t>(env::integer(name, fallback, 0, 65535));
}

Settings read_settings() {
  Settings s;
  s.declarative_config = env::required_string("KONG_DECLARATIVE_CONFIG");
  try {
    s.log_level = log::parse_level(env::string("LOG_LEVEL", "info"));
  } catch (const std::invalid_argument&) {
    throw env::ConfigError("config: LOG_LEVEL must be debug, info, warn or error");
  }
  const long long cores = std::max(1u, std::thread::hardware_concurrency());
  s.threads = static_cast<std::size_t>(env::integer("HTTP_THREADS", cores, 1, 1024));
  s.status_port = port_from("STATUS_PORT", 8100);
  auto& p = s.proxy;
  p.bind_address = env::string("BIND_ADDRESS", p.bind_address);
  p.port = port_from("PORT", 8000);
  p.tls_cert_file = env::string("TLS_CERT_FILE", "");
  p.tls_key_file = env::string("TLS_KEY_FILE", "");
  if (p.tls_cert_file.empty() != p.tls_key_file.empty())
    throw env::ConfigError("config: TLS_CERT_FILE and TLS_KEY_FILE must be set together");
  if (!p.tls_cert_file.empty()) p.tls_port = port_from("TLS_PORT", 8443);
  p.max_header_bytes = static_cast<std::size_t>(env::integer(
      "HTTP_MAX_HEADER_BYTES", static_cast<long long>(p.max_header_bytes), 1024, 1 << 20));
  p.max_body_bytes = static_cast<std::size_t>(
      env::integer("HTTP_MAX_BODY_BYTES", static_cast<long long>(p.max_body_bytes), 0, 1LL << 32));
  p.read_timeout = env::duration("HTTP_READ_TIMEOUT", p.read_timeout);
  p.idle_timeout = env::duration("HTTP_IDLE_TIMEOUT", p.idle_timeout);
  p.drain_timeout = env::duration("HTTP_DRAIN_TIMEOUT", p.drain_timeout);
  return s;
}

// Builds a new snapshot from the file; a bad file keeps the running one.
void reload(const std::string& path, proxy::SnapshotHolder& holder,
            const proxy::CounterStores& stores) {
  try {
    auto next = proxy::load_snapshot(path, stores);
    const std::string hash = next->hash;
    holder.replace(std::move(next));
    log::info("configuration reloaded", {{"path", path}, {"configuration_hash", hash}});
  } catch (const std::exception& e) {
    log::error("configuration reload failed; keeping the previous one",
               {{"path", path}, {"error", e.what()}});
  }
}

[[noreturn]] void exit_now(int code) {
  log::info("stopped");
  log::flush_this_thread();
  std::fflush(nullptr);
  // Coroutine frames still parked on sockets are not torn down: nothing is gained at exit.
  std::_Exit(code);
}

}  // namespace

int main() {
  Settings settings;
  try {
    settings = read_settings();
  } catch (const env::ConfigError& e) {
    std::fprintf(stderr, "gateway: %s\n", e.what());
    return 2;
  }
  log::init("gateway", settings.log_level);

  // The workers exist before the configuration loads: Redis counters connect from them.
  Runtime runtime(settings.threads);
  std::vector<boost::asio::any_io_executor> workers;
  for (std::size_t i = 0; i < runtime.size(); ++i)
    workers.push_back(runtime.context(i).get_executor());
  proxy::CounterStores stores(std::move(workers));
  std::shared_ptr<const proxy::Snapshot> initial;
  try {
    initial = proxy::load_snapshot(settings.declarative_config, stores);
  } catch (const gateway::config::ConfigError& e) {
    std::fprintf(stderr, "gateway: %s: %s\n", settings.declarative_config.c_str(), e.what());
    return 2;
  }
  proxy::SnapshotHolder snapshots(initial);
  initial.reset();

  try {
    proxy::ProxyMetrics metrics(telemetry::default_registry());
    metrics.watch_target_health(snapshots);
    proxy::ProxyServer server(runtime, settings.proxy, snapshots, metrics);
    server.start();

    http::Router status_router;
    proxy::add_status_routes(status_router, {&snapshots, [&server] { return server.stats(); }});
    http::ServerOptions status_options;
    status_options.bind_address = settings.proxy.bind_address;
    status_options.port = settings.status_port;
    http::Server status_server(runtime, status_options, std::move(status_router));
    status_server.start();
    log::info("gateway started", {{"port", static_cast<int>(server.port())},
                                  {"status_port", static_cast<int>(status_server.port())},
                                  {"configuration_hash", snapshots.current()->hash}});

    boost::asio::signal_set signals(runtime.context(0), SIGINT, SIGTERM, SIGHUP);
    bool stopping = false;
    std::function<void(const boost::system::error_code&, int)> on_signal;
    on_signal = [&](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        reload(settings.declarative_config, snapshots, stores);
      } else if (stopping) {
        log::warn("second signal; stopping now", {{"signal", signal}});
        runtime.stop();
      } else {
        stopping = true;
        log::info("shutdown requested", {{"signal", signal}});
        server.drain([&] { status_server.drain([&] { runtime.stop(); }); });
      }
      signals.async_wait(on_signal);
    };
    signals.async_wait(on_signal);
    runtime.run();
  } catch (const std::exception& e) {
    log::error("gateway failed", {{"error", e.what()}});
    log::flush_this_thread();
    std::fprintf(stderr, "gateway: %s\n", e.what());
    return 1;
  }
  exit_now(0);
}
