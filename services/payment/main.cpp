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
#include "chassis/events/outbox.hpp"
#include "chassis/http/operational.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/process_metrics.hpp"
#include "services/payment/order_created_handler.hpp"
#include "services/payment/payment_api.hpp"
#include "services/payment/simulated_provider.hpp"

using namespace bazaar;
using namespace std::chrono_literals;

namespace {
struct Settings {
  http::ServerOptions server;
  std::string db_url;
  std::string kafka_brokers;
  std::size_t workers;
  std::size_t pool_size;
  std::chrono::milliseconds db_startup_wait;
  std::chrono::milliseconds kafka_startup_wait;
  std::chrono::milliseconds db_acquire_timeout;
  std::chrono::milliseconds db_query_timeout;
  std::size_t db_pipeline_depth;
  std::chrono::milliseconds health_cache_ttl;
  payment::SimulatedRules rules;
  log::Level log_level;
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
  auto level = config::string("LOG_LEVEL", "info");
  s.log_level =
      parsed("LOG_LEVEL", level, [](const std::string& t) { return log::parse_level(t); });
  s.server = http::ServerOptions::from_env(8083);
  s.db_url = config::required_string("DB_URL");
  s.kafka_brokers = config::required_string("KAFKA_BROKERS");
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  s.workers = static_cast<std::size_t>(config::integer("HTTP_THREADS", cores, 1, 256));
  s.pool_size = static_cast<std::size_t>(config::integer("DB_POOL_SIZE", 16, 1, 1000));
  s.db_startup_wait = config::duration("DB_STARTUP_WAIT", 30s);
  s.kafka_startup_wait = config::duration("KAFKA_STARTUP_WAIT", 30s);
  s.db_acquire_timeout = config::duration("DB_ACQUIRE_TIMEOUT", 2s);
  s.db_query_timeout = config::duration("DB_QUERY_TIMEOUT", 5s);
  s.db_pipeline_depth =
      static_cast<std::size_t>(config::integer("DB_PIPELINE_DEPTH", 32, 1, 10'000));
  s.health_cache_ttl = config::duration("HEALTH_CACHE_TTL", 1s);
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
  pg::migrate(s.db_url, pg::embedded_migrations(), "payment-service", s.db_startup_wait);
  pg::migrate(s.db_url, events::schema(), "payment-service.events", s.db_startup_wait,
              events::kSchemaTable);
  events::KafkaOptions kafka{s.kafka_brokers, "payment-service"};
  ensure_topics(kafka, s.kafka_startup_wait);

  Runtime runtime(s.workers);
  // The pool budget is per process; each worker owns its share.
  std::size_t per_worker = std::max<std::size_t>(1, s.pool_size / runtime.size());
  PerWorker<pg::Pool> pools(runtime, [&](std::size_t i) {
    pg::PoolOptions o;
    o.conninfo = s.db_url;
    o.name = "payments";
    o.max_size = per_worker;
    o.acquire_timeout = s.db_acquire_timeout;
    o.query_timeout = s.db_query_timeout;
    o.pipeline_depth = s.db_pipeline_depth;
    return std::make_unique<pg::Pool>(runtime.context(i).get_executor(), o);
  });
  telemetry::register_process_metrics(telemetry::default_registry());

  payment::PaymentRepository repo(pools);
  payment::SimulatedProvider provider(s.rules, pools, std::random_device{}());
  payment::OrderCreatedHandler handler{repo, provider};

  // Events are handled and relayed on worker 0, with its pool; HTTP runs on every worker.
  auto events_executor = runtime.context(0).get_executor();
  events::Producer producer(kafka);
  events::OutboxRelay relay(events_executor, {s.db_url, "payment-service"}, pools.at(0), producer);
  events::Consumer consumer(kafka, payment::kConsumer, {payment::kOrderCreated}, producer);

  http::Router router;
  http::add_operational_routes(router, {{"database", [&pools]() { return pools.local().ping(); }}},
                               s.health_cache_ttl);
  payment::add_payment_routes(router, repo);
  http::Server server(runtime, s.server, std::move(router));
  server.start();

  relay.start();
  payment::OrderCreatedHandler* h = &handler;
  consumer.start(events_executor,
                 [h](events::Event e) { return payment::handle_order_created(h, std::move(e)); });
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
    std::fprintf(stderr, "payment-service: %s\n", e.what());
    return 2;
  }
  log::init("payment-service", settings.log_level);
  try {
    return run(settings);
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    return 1;
  }
}
