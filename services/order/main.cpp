// order-service: config → migrations and topics → workers (pool and user check per worker)
// → routes, outbox relay, payment consumer → serve until SIGTERM → drain.
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/events/outbox.hpp"
#include "chassis/http/operational.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/process_metrics.hpp"
#include "services/order/order_api.hpp"
#include "services/order/payment_events.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
constexpr const char* kService = "order-service";

struct Settings {
  http::ServerOptions server;
  std::string db_url;
  std::string kafka_brokers;
  std::size_t workers;
  std::size_t pool_size;
  std::chrono::milliseconds db_startup_wait;
  std::chrono::milliseconds db_acquire_timeout;
  std::chrono::milliseconds db_query_timeout;
  std::size_t db_pipeline_depth;
  std::chrono::milliseconds health_cache_ttl;
  std::chrono::milliseconds kafka_startup_wait;
  order::UserCheckOptions user_check;
  log::Level log_level;
};

std::string user_service_url() {
  auto url = config::required_string("USER_SERVICE_URL");
  if (url.rfind("http://", 0) != 0 || url.size() <= 7)
    throw config::ConfigError("config: USER_SERVICE_URL must be an http:// URL, got '" + url + "'");
  while (url.back() == '/') url.pop_back();
  return url;
}

Settings read_settings() {
  Settings s;
  auto level = config::string("LOG_LEVEL", "info");
  try {
    s.log_level = log::parse_level(level);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("config: LOG_LEVEL: " + std::string(e.what()) + ", got '" + level +
                              "'");
  }
  s.server = http::ServerOptions::from_env(8082);
  s.db_url = config::required_string("DB_URL");
  s.kafka_brokers = config::required_string("KAFKA_BROKERS");
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  s.workers = static_cast<std::size_t>(config::integer("HTTP_THREADS", cores, 1, 256));
  s.pool_size = static_cast<std::size_t>(config::integer("DB_POOL_SIZE", 16, 1, 1000));
  s.db_startup_wait = config::duration("DB_STARTUP_WAIT", 30s);
  s.db_acquire_timeout = config::duration("DB_ACQUIRE_TIMEOUT", 2s);
  s.db_query_timeout = config::duration("DB_QUERY_TIMEOUT", 5s);
  s.db_pipeline_depth =
      static_cast<std::size_t>(config::integer("DB_PIPELINE_DEPTH", 32, 1, 10'000));
  s.health_cache_ttl = config::duration("HEALTH_CACHE_TTL", 1s);
  s.kafka_startup_wait = config::duration("KAFKA_STARTUP_WAIT", 30s);
  s.user_check.base_url = user_service_url();
  s.user_check.timeout = config::duration("USER_CHECK_TIMEOUT", 1s);
  if (s.user_check.timeout <= 0ms)
    throw config::ConfigError("config: USER_CHECK_TIMEOUT must be more than 0");
  s.user_check.retries = static_cast<unsigned>(config::integer("USER_CHECK_RETRIES", 2, 0, 10));
  s.user_check.breaker.failure_threshold =
      static_cast<int>(config::integer("BREAKER_FAILURES", 5, 1, 1'000'000));
  s.user_check.breaker.cooldown = config::duration("BREAKER_COOLDOWN", 5s);
  return s;
}

int run(const Settings& s) {
  pg::migrate(s.db_url, pg::embedded_migrations(), kService, s.db_startup_wait);
  pg::migrate(s.db_url, events::schema(), std::string(kService) + ".events", s.db_startup_wait,
              events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, kService};
  events::ensure_topics(kafka,
                        {{"order.created", 3},
                         {"order.confirmed", 3},
                         {"order.cancelled", 3},
                         {"payment.succeeded", 3},
                         {"payment.failed", 3}},
                        s.kafka_startup_wait);

  Runtime runtime(s.workers);
  // The pool budget is per process; each worker owns its share.
  std::size_t per_worker = std::max<std::size_t>(1, s.pool_size / runtime.size());
  PerWorker<pg::Pool> pools(runtime, [&](std::size_t i) {
    pg::PoolOptions o;
    o.conninfo = s.db_url;
    o.name = "orders";
    o.max_size = per_worker;
    o.acquire_timeout = s.db_acquire_timeout;
    o.query_timeout = s.db_query_timeout;
    o.pipeline_depth = s.db_pipeline_depth;
    return std::make_unique<pg::Pool>(runtime.context(i).get_executor(), o);
  });
  PerWorker<order::UserCheck> users(runtime, [&](std::size_t i) {
    return std::make_unique<order::UserCheck>(runtime.context(i).get_executor(), s.user_check, i);
  });
  telemetry::register_process_metrics(telemetry::default_registry());

  order::OrderRepository repo(pools);
  order::OrderApi api{repo, users};
  http::Router router;
  http::add_operational_routes(router, {{"database", [&pools]() { return pools.local().ping(); }}},
                               s.health_cache_ttl);
  order::add_order_routes(router, api);

  // Events run on worker 0, so that pools.local() in the handler is worker 0's pool.
  auto events_executor = runtime.context(0).get_executor();
  events::Producer producer(kafka);
  events::OutboxRelay relay(events_executor, {s.db_url, kService}, pools.at(0), producer);
  events::Consumer payments(kafka, order::kConsumerGroup, {"payment.succeeded", "payment.failed"},
                            producer);

  http::Server server(runtime, s.server, std::move(router));
  server.start();
  relay.start();
  order::OrderRepository* repo_ptr = &repo;
  payments.start(events_executor, [repo_ptr](events::Event e) {
    return order::handle_payment_event(repo_ptr, std::move(e));
  });
  http::run_until_signal(runtime, server, [&] {
    payments.stop();
    relay.stop();
    producer.flush(10s);
  });
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
    std::fprintf(stderr, "%s: %s\n", kService, e.what());
    return 2;
  }
  log::init(kService, settings.log_level);
  try {
    return run(settings);
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    return 1;
  }
}
