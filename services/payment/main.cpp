// payment-service: config → migrations → Kafka topics → workers (pool per worker) → outbox
// relay, order.created consumer, routes → serve until SIGTERM → stop consuming, flush the
// outbox, exit 0.
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <random>
#include <thread>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/events/inbox_retention.hpp"
#include "chassis/events/outbox.hpp"
#include "chassis/events/transactional.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/service/process.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/process_metrics.hpp"
#include "services/payment/order_created_handler.hpp"
#include "services/payment/payment_api.hpp"
#include "services/payment/simulated_provider.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
struct Settings {
  service::Basics basics;
  std::string kafka_brokers;
  std::chrono::milliseconds kafka_startup_wait;
  events::InboxRetention inbox;
  payment::SimulatedRules rules;
};

// A value parsed by one of the domain's parsers, their std::invalid_argument turned into the
// usual one-line configuration error naming the variable.
template <class F>
auto parsed(const char* name, const std::string& text, F parse) {
  try {
    return parse(text);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError(std::string("config: ") + name + ": " + e.what() + ", got '" + text +
                              "'");
  }
}

Settings read_settings() {
  Settings s;
  s.basics = service::read_basics(8083);
  s.kafka_brokers = config::required_string("KAFKA_BROKERS");
  s.kafka_startup_wait = config::duration("KAFKA_STARTUP_WAIT", 30s);
  s.inbox = events::inbox_retention_from_env();
  s.rules.decline_above_cents = config::integer("PAYMENT_DECLINE_ABOVE_CENTS", 100'000, 0,
                                                std::numeric_limits<long long>::max());
  s.rules.decline_currencies =
      parsed("PAYMENT_DECLINE_CURRENCIES", config::string("PAYMENT_DECLINE_CURRENCIES", ""),
             [](const std::string& t) { return payment::parse_currency_list(t); });
  s.rules.failure_rate = parsed("PAYMENT_FAILURE_RATE", config::string("PAYMENT_FAILURE_RATE", "0"),
                                [](const std::string& t) { return payment::parse_rate(t); });
  s.rules.latency = config::duration("PAYMENT_LATENCY", 0ms);
  return s;
}

// The topics this service reads and writes, each with its dead-letter topic. Kafka may still
// be starting (a fresh deployment): retry until `wait` has passed.
void ensure_topics(const events::KafkaOptions& kafka, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    try {
      events::ensure_topics(kafka,
                            {{payment::kOrderCreated, 3},
                             {payment::kPaymentSucceeded, 3},
                             {payment::kPaymentFailed, 3}},
                            10s);
      return;
    } catch (const events::KafkaError& e) {
      if (std::chrono::steady_clock::now() >= deadline) throw;
      log::warn("kafka not ready; retrying", {{"error", e.what()}});
      std::this_thread::sleep_for(1s);
    }
  }
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

int run(const Settings& s) {
  pg::migrate(s.basics.db_url, pg::embedded_migrations(), "payment-service",
              s.basics.db_startup_wait);
  pg::migrate(s.basics.db_url, events::schema(), "payment-service.events", s.basics.db_startup_wait,
              events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, "payment-service"};
  ensure_topics(kafka, s.kafka_startup_wait);

  Runtime runtime(s.basics.workers);
  auto pools_owner = service::make_pools(runtime, s.basics, "payments");
  auto& pools = *pools_owner;
  telemetry::register_process_metrics(telemetry::default_registry());

  payment::PaymentRepository repo(pools);
  payment::SimulatedProvider provider(s.rules, pools, std::random_device{}());
  payment::OrderCreatedHandler handler{repo, provider};

  // Events are handled and relayed on worker 0, with its pool; HTTP runs on every worker.
  auto events_executor = runtime.context(0).get_executor();
  events::Producer producer(kafka);
  events::OutboxRelay relay(events_executor, {s.basics.db_url, "payment-service"}, pools.at(0),
                            producer);
  events::Consumer consumer(kafka, payment::kConsumer, {payment::kOrderCreated}, producer);

  http::Router router;
  service::add_standard_routes(router, pools, s.basics);
  payment::add_payment_routes(router, repo);
  http::Server server(runtime, s.basics.server, std::move(router));
  server.start();

  relay.start();
  events::InboxPruner inbox_pruner(events_executor, pools.at(0), s.inbox);
  inbox_pruner.start();
  payment::OrderCreatedHandler* h = &handler;
  auto handlers = events::in_transactions(pools.at(0), [h](pg::Transaction* tx, events::Event e) {
    return payment::handle_order_created(h, tx, std::move(e));
  });
  consumer.start(events_executor, std::move(handlers.one), std::move(handlers.batch));
  log::info("payment provider: simulated",
            {{"decline_above_cents", s.rules.decline_above_cents},
             {"decline_currencies", joined(s.rules.decline_currencies)},
             {"failure_rate", s.rules.failure_rate},
             {"latency_ms", static_cast<long long>(s.rules.latency.count())}});
  log::info("consuming", {{"topic", payment::kOrderCreated}, {"group", payment::kConsumer}});

  http::run_until_signal(runtime, server, [&] {
    // The event being handled finishes and its offset is committed; then everything the
    // outbox holds is published before the process goes.
    consumer.stop();
    inbox_pruner.stop();
    relay.stop();
    producer.flush(10s);
  });
  service::exit_after_drain();
}
}  // namespace

int main() { return service::main("payment-service", read_settings, run); }
