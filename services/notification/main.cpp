// notification-service: config → migrations → topics → workers (pool per worker) → sender and
// consumer on worker 0 → routes → serve until SIGTERM.
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/events/inbox_retention.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/events/outbox.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/service/process.hpp"
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
  service::Basics basics;
  std::string kafka_brokers;
  std::chrono::milliseconds kafka_startup_wait;
  events::InboxRetention inbox;
  UserDirectoryOptions users;
  SmtpOptions smtp;
  SenderOptions sender;
};

Settings read_settings() {
  Settings s;
  s.basics = service::read_basics(8084);
  s.kafka_brokers = config::required_string("KAFKA_BROKERS");
  s.kafka_startup_wait = config::duration("KAFKA_STARTUP_WAIT", 30s);
  s.inbox = events::inbox_retention_from_env();

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
  pg::migrate(s.basics.db_url, pg::embedded_migrations(), kService, s.basics.db_startup_wait);
  pg::migrate(s.basics.db_url, events::schema(), std::string(kService) + ".events",
              s.basics.db_startup_wait, events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, kService};
  std::vector<events::TopicSpec> topics;
  for (const auto& t : kTopics) topics.push_back({t, 3});
  events::ensure_topics(kafka, topics, s.kafka_startup_wait);

  Runtime runtime(s.basics.workers);
  auto pools_owner = service::make_pools(runtime, s.basics, "notifications");
  auto& pools = *pools_owner;
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
  service::add_standard_routes(router, pools, s.basics);
  add_notification_routes(router, repo);

  http::Server server(runtime, s.basics.server, std::move(router));
  server.start();
  sender.start();
  events::InboxPruner inbox_pruner(worker0, pools.at(0), s.inbox);
  inbox_pruner.start();
  consumer.start(worker0, [&handler](events::Event e) { return handler.handle(std::move(e)); });
  log::info("consuming", {{"topics", "order.created,order.confirmed,order.cancelled"},
                          {"group", kConsumerGroup}});

  http::run_until_signal(runtime, server, [&] {
    // Workers still run here: let the event in hand and the deliveries in flight finish.
    consumer.stop();
    inbox_pruner.stop();
    sender.stop();
    dead_letters.flush(5s);
  });
  mailer.stop();
  service::exit_after_drain();
}
}  // namespace

int main() { return service::main("notification-service", read_settings, run); }
