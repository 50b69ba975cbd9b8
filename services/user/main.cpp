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
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/service/process.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/process_metrics.hpp"
#include "services/user/user_api.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
struct Settings {
  service::Basics basics;
  std::string key_file;
  std::string issuer;
  std::chrono::seconds token_ttl;
  std::optional<std::string> admin_email;
  std::optional<std::string> admin_password;
};

Settings read_settings() {
  Settings s;
  s.basics = service::read_basics(8081);
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
  const auto& base = s.basics;
  pg::migrate(base.db_url, pg::embedded_migrations(), "user-service", base.db_startup_wait);

  Runtime runtime(base.workers);
  auto pools = service::make_pools(runtime, base, "users");
  telemetry::register_process_metrics(telemetry::default_registry());

  auth::PasswordHasher hasher;
  boost::asio::thread_pool crypto(std::max(1u, std::thread::hardware_concurrency()));
  user::UserRepository repo(*pools);
  user::UserApi api{repo, key, hasher, crypto, s.issuer, s.token_ttl};

  http::Router router;
  service::add_standard_routes(router, *pools, base);
  user::add_user_routes(router, api);

  http::Server server(runtime, base.server, std::move(router));
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
  service::exit_after_drain();
}
}  // namespace

int main() { return service::main("user-service", read_settings, run); }
