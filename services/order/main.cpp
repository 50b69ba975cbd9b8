// order-service: config → migrations and topics → workers (pool and user check per worker)
// → routes, outbox relay, payment consumer → serve until SIGTERM → drain.
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
#include "services/order/order_api.hpp"
#include "services/order/payment_events.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
constexpr const char* kService = "order-service";

struct Settings {
  service::Basics basics;
  std::string kafka_brokers;
  std::chrono::milliseconds kafka_startup_wait;
  events::InboxRetention inbox;
  order::UserCheckOptions user_check;
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
  s.basics = service::read_basics(8082);
  s.kafka_brokers = config::required_string("KAFKA_BROKERS");
  s.kafka_startup_wait = config::duration("KAFKA_STARTUP_WAIT", 30s);
  s.inbox = events::inbox_retention_from_env();
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
  pg::migrate(s.basics.db_url, pg::embedded_migrations(), kService, s.basics.db_startup_wait);
  pg::migrate(s.basics.db_url, events::schema(), std::string(kService) + ".events",
              s.basics.db_startup_wait, events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, kService};
  events::ensure_topics(kafka,
                        {{"order.created", 3},
                         {"order.confirmed", 3},
                         {"order.cancelled", 3},
                         {"payment.succeeded", 3},
                         {"payment.failed", 3}},
                        s.kafka_startup_wait);

  Runtime runtime(s.basics.workers);
  auto pools_owner = service::make_pools(runtime, s.basics, "orders");
  auto& pools = *pools_owner;
  PerWorker<order::UserCheck> users(runtime, [&](std::size_t i) {
    return std::make_unique<order::UserCheck>(runtime.context(i).get_executor(), s.user_check, i);
  });
  telemetry::register_process_metrics(telemetry::default_registry());

  order::OrderRepository repo(pools);
  order::OrderApi api{repo, users};
  http::Router router;
  service::add_standard_routes(router, pools, s.basics);
  order::add_order_routes(router, api);

  // Events run on worker 0, so that pools.local() in the handler is worker 0's pool.
  auto events_executor = runtime.context(0).get_executor();
  events::Producer producer(kafka);
  events::OutboxRelay relay(events_executor, {s.basics.db_url, kService}, pools.at(0), producer);
  events::Consumer payments(kafka, order::kConsumerGroup, {"payment.succeeded", "payment.failed"},
                            producer);

  http::Server server(runtime, s.basics.server, std::move(router));
  server.start();
  relay.start();
  events::InboxPruner inbox_pruner(events_executor, pools.at(0), s.inbox);
  inbox_pruner.start();
  auto handlers = events::in_transactions(pools.at(0), [](pg::Transaction* tx, events::Event e) {
    return order::handle_payment_event(tx, std::move(e));
  });
  payments.start(events_executor, std::move(handlers.one), std::move(handlers.batch));
  http::run_until_signal(runtime, server, [&] {
    payments.stop();
    inbox_pruner.stop();
    relay.stop();
    producer.flush(10s);
  });
  service::exit_after_drain();
}
}  // namespace

int main() { return service::main("order-service", read_settings, run); }
