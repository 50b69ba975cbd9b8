// notification-service: config → migrations → topics → workers (pool per worker) → sender and
// consumer on worker 0 → routes → serve until SIGTERM.
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
#include "services/notification/notification_api.hpp"
#include "services/notification/order_event_handler.hpp"

using namespace bazaar;
using namespace bazaar::notification;
using namespace std::chrono_literals;

namespace {
constexpr const char* kService = "notification-service";
const std::vector<std::string> kTopics{"order.created", "order.confirmed", "order.cancelled"};

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
  UserDirectoryOptions users;
  SmtpOptions smtp;
  SenderOptions sender;
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
  s.server = http::ServerOptions::from_env(8084);
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

  s.users.base_url = config::required_string("USER_SERVICE_URL");
  if (s.users.base_url.rfind("http://", 0) != 0)
    throw config::ConfigError("config: USER_SERVICE_URL must be an http:// URL, got '" +
                              s.users.base_url + "'");
  s.users.timeout = config::duration("USER_SERVICE_TIMEOUT", 2s);
  s.users.cache_ttl = config::duration("USER_CACHE_TTL", 5min);

  s.smtp.url = config::required_string("SMTP_URL");
  if (!is_smtp_url(s.smtp.url))
    throw config::ConfigError("config: SMTP_URL must be an smtp:// or smtps:// URL, got '" +
                              s.smtp.url + "'");
  s.smtp.timeout = config::duration("SMTP_TIMEOUT", 10s);
  s.smtp.threads = static_cast<std::size_t>(config::integer("SMTP_THREADS", 4, 1, 64));

  auto from = config::string("NOTIFY_FROM", "Bazaar <orders@bazaar.local>");
  auto mailbox = parse_mailbox(from);
  if (!mailbox)
    throw config::ConfigError(
        "config: NOTIFY_FROM must be an address like 'Name <local@domain>', got '" + from + "'");
  s.sender.from = *mailbox;
  s.sender.max_attempts = static_cast<int>(config::integer("NOTIFY_MAX_ATTEMPTS", 20, 1, 1000));
  s.sender.backoff.initial = config::duration("NOTIFY_RETRY_INITIAL", 1s);
  s.sender.backoff.max = config::duration("NOTIFY_RETRY_MAX", 60s);
  if (s.sender.backoff.initial.count() <= 0 || s.sender.backoff.max < s.sender.backoff.initial)
    throw config::ConfigError(
        "config: NOTIFY_RETRY_INITIAL must be positive and at most NOTIFY_RETRY_MAX");
  // A batch waits for its slowest delivery; the lease must outlast the whole batch going
  // through the SMTP threads one timeout at a time, or a claim could expire mid-send.
  auto rounds =
      (s.sender.batch + static_cast<int>(s.smtp.threads) - 1) / static_cast<int>(s.smtp.threads);
  s.sender.lease =
      std::max<std::chrono::milliseconds>(60s, 2 * rounds * (s.smtp.timeout + s.users.timeout));
  return s;
}

int run(const Settings& s) {
  pg::migrate(s.db_url, pg::embedded_migrations(), kService, s.db_startup_wait);
  pg::migrate(s.db_url, events::schema(), std::string(kService) + ".events", s.db_startup_wait,
              events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, kService};
  std::vector<events::TopicSpec> topics;
  for (const auto& t : kTopics) topics.push_back({t, 3});
  events::ensure_topics(kafka, topics, s.kafka_startup_wait);

  Runtime runtime(s.workers);
  // The pool budget is per process; each worker owns its share.
  std::size_t per_worker = std::max<std::size_t>(1, s.pool_size / runtime.size());
  PerWorker<pg::Pool> pools(runtime, [&](std::size_t i) {
    pg::PoolOptions o;
    o.conninfo = s.db_url;
    o.name = "notifications";
    o.max_size = per_worker;
    o.acquire_timeout = s.db_acquire_timeout;
    o.query_timeout = s.db_query_timeout;
    o.pipeline_depth = s.db_pipeline_depth;
    return std::make_unique<pg::Pool>(runtime.context(i).get_executor(), o);
  });
  telemetry::register_process_metrics(telemetry::default_registry());

  // The sender, its user lookups and the consumer's handler all live on worker 0: they share
  // its pool and need no locks.
  auto worker0 = runtime.context(0).get_executor();
  NotificationRepository repo(pools);
  SmtpMailer mailer(s.smtp);
  UserDirectory users(worker0, s.users);
  Sender sender(worker0, repo, users, mailer, s.sender);
  OrderEventHandler handler(pools, sender);

  events::Producer dead_letters(kafka);
  events::Consumer consumer(kafka, kConsumerGroup, kTopics, dead_letters);

  http::Router router;
  http::add_operational_routes(router, {{"database", [&pools]() { return pools.local().ping(); }}},
                               s.health_cache_ttl);
  add_notification_routes(router, repo);

  http::Server server(runtime, s.server, std::move(router));
  server.start();
  sender.start();
  consumer.start(worker0, [&handler](events::Event e) { return handler.handle(std::move(e)); });
  log::info("consuming", {{"topics", "order.created,order.confirmed,order.cancelled"},
                          {"group", kConsumerGroup}});

  http::run_until_signal(runtime, server, [&] {
    // Workers still run here: let the event in hand and the deliveries in flight finish.
    consumer.stop();
    sender.stop();
    dead_letters.flush(5s);
  });
  mailer.stop();
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
