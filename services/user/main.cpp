// user-service: config → migrations → workers (pool per worker) → routes → serve until SIGTERM.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/http/operational.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/process_metrics.hpp"
#include "services/user/user_api.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
struct Settings {
  http::ServerOptions server;
  std::string db_url;
  std::size_t workers;
  std::size_t pool_size;
  std::chrono::milliseconds db_startup_wait;
  std::chrono::milliseconds db_acquire_timeout;
  std::chrono::milliseconds db_query_timeout;
  std::size_t db_pipeline_depth;
  std::chrono::milliseconds health_cache_ttl;
  std::string key_file;
  std::string issuer;
  std::chrono::seconds token_ttl;
  std::optional<std::string> admin_email;
  std::optional<std::string> admin_password;
  log::Level log_level;
};

Settings read_settings() {
  Settings s;
  auto level = config::string("LOG_LEVEL", "info");
  try {
    s.log_level = log::parse_level(level);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("config: LOG_LEVEL: " + std::string(e.what()) + ", got '" + level +
                              "'");
  }
  s.server = http::ServerOptions::from_env(8081);
  s.db_url = config::required_string("DB_URL");
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  s.workers = static_cast<std::size_t>(config::integer("HTTP_THREADS", cores, 1, 256));
  s.pool_size = static_cast<std::size_t>(config::integer("DB_POOL_SIZE", 16, 1, 1000));
  s.db_startup_wait = config::duration("DB_STARTUP_WAIT", 30s);
  s.db_acquire_timeout = config::duration("DB_ACQUIRE_TIMEOUT", 2s);
  s.db_query_timeout = config::duration("DB_QUERY_TIMEOUT", 5s);
  s.db_pipeline_depth =
      static_cast<std::size_t>(config::integer("DB_PIPELINE_DEPTH", 32, 1, 10'000));
  s.health_cache_ttl = config::duration("HEALTH_CACHE_TTL", 1s);
  s.key_file = config::required_string("JWT_PRIVATE_KEY_FILE");
  s.issuer = config::string("JWT_ISSUER", "bazaar-user-service");
  s.token_ttl =
      std::chrono::duration_cast<std::chrono::seconds>(config::duration("JWT_TTL", 15min));
  s.admin_email = config::raw("BOOTSTRAP_ADMIN_EMAIL");
  s.admin_password = config::raw("BOOTSTRAP_ADMIN_PASSWORD");
  if (s.admin_email.has_value() != s.admin_password.has_value())
    throw config::ConfigError(
        "config: BOOTSTRAP_ADMIN_EMAIL and BOOTSTRAP_ADMIN_PASSWORD must be set together");
  return s;
}

int run(const Settings& s) {
  auto key = auth::RsaKey::from_private_pem_file(s.key_file);
  pg::migrate(s.db_url, pg::embedded_migrations(), "user-service", s.db_startup_wait);

  Runtime runtime(s.workers);
  // The pool budget is per process; each worker owns its share.
  std::size_t per_worker = std::max<std::size_t>(1, s.pool_size / runtime.size());
  PerWorker<pg::Pool> pools(runtime, [&](std::size_t i) {
    pg::PoolOptions o;
    o.conninfo = s.db_url;
    o.name = "users";
    o.max_size = per_worker;
    o.acquire_timeout = s.db_acquire_timeout;
    o.query_timeout = s.db_query_timeout;
    o.pipeline_depth = s.db_pipeline_depth;
    return std::make_unique<pg::Pool>(runtime.context(i).get_executor(), o);
  });
  telemetry::register_process_metrics(telemetry::default_registry());

  auth::PasswordHasher hasher;
  boost::asio::thread_pool crypto(std::max(1u, std::thread::hardware_concurrency()));
  user::UserRepository repo(pools);
  user::UserApi api{repo, key, hasher, crypto, s.issuer, s.token_ttl};

  http::Router router;
  http::add_operational_routes(router, {{"database", [&pools]() { return pools.local().ping(); }}},
                               s.health_cache_ttl);
  user::add_user_routes(router, api);

  http::Server server(runtime, s.server, std::move(router));
  server.start();
  if (s.admin_email) {
    boost::asio::co_spawn(runtime.context(0),
                          user::ensure_bootstrap_admin(&api, *s.admin_email, *s.admin_password),
                          [](std::exception_ptr e) {
                            if (!e) return;
                            try {
                              std::rethrow_exception(e);
                            } catch (const std::exception& ex) {
                              log::error("bootstrap admin failed", {{"error", ex.what()}});
                            }
                          });
  }
  http::run_until_signal(runtime, server);
  crypto.join();
  log::info("stopped");
  log::flush_this_thread();
  // Everything is drained. Tearing down coroutine frames that still wait on sockets would
  // race the pools and io_contexts they point into, and gains nothing at exit.
  std::fflush(nullptr);
  std::_Exit(0);
}
}  // namespace

int main() {
  Settings settings;
  try {
    settings = read_settings();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "user-service: %s\n", e.what());
    return 2;
  }
  log::init("user-service", settings.log_level);
  try {
    return run(settings);
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    return 1;
  }
}
