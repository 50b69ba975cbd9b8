// payment-service against a real PostgreSQL, a real Kafka broker and the real binary: an
// order.created becomes one payment and one result event, whatever is delivered twice,
// published twice, malformed, or interrupted by a SIGKILL.
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <cstdio>
#include <future>
#include <map>
#include <set>
#include <thread>

#include "chassis/core/ids.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/http/client.hpp"
#include "chassis/pg/pool.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;

namespace {
constexpr const char* kSucceeded = "payment.succeeded";
constexpr const char* kFailed = "payment.failed";

std::string header(const events::Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return {};
}

std::string order_data(const std::string& order_id, const std::string& user_id, long long cents,
                       const std::string& currency) {
  return json::serialize(json::object{{"order_id", order_id},
                                      {"user_id", user_id},
                                      {"total_cents", cents},
                                      {"currency", currency}});
}

// One result event as read back from Kafka.
struct Result {
  std::string topic;
  std::string ce_id;
  json::object data;
  events::RawMessage raw;
};

class Payment : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new harness::PgCluster("payments");
    kafka_ = new harness::KafkaBroker();
    start_service();
  }
  static void TearDownTestSuite() {
    service_.reset();
    delete kafka_;
    delete pg_;
  }

  void SetUp() override {
    loop_ = std::thread([this] { ioc_.run(); });
    pg::PoolOptions o;
    o.conninfo = pg_->url("payments");
    o.max_size = 2;
    pool_ = std::make_unique<pg::Pool>(ioc_.get_executor(), o);
    producer_ = std::make_unique<events::Producer>(kafka());
  }
  void TearDown() override {
    producer_.reset();
    guard_.reset();
    ioc_.stop();
    loop_.join();
  }

  static events::KafkaOptions kafka() { return {kafka_->bootstrap(), "payment-test"}; }

  static std::map<std::string, std::string> service_env(
      std::map<std::string, std::string> extra = {}) {
    extra.emplace("DB_URL", pg_->url("payments"));
    extra.emplace("KAFKA_BROKERS", kafka_->bootstrap());
    extra.emplace("PAYMENT_DECLINE_CURRENCIES", "XTS");
    extra.emplace("HTTP_THREADS", "2");
    extra.emplace("DB_POOL_SIZE", "8");
    return extra;
  }
  // Replaces the running service, if any. SIGTERM makes the old one leave the consumer group
  // at once; a killed one would hold its partitions until its session timed out.
  static void start_service(std::map<std::string, std::string> extra = {}) {
    if (service_ && service_->process().running()) {
      service_->process().signal(SIGTERM);
      EXPECT_EQ(service_->process().wait(30s), 0) << service_->process().output();
    }
    service_.reset();
    service_ = std::make_unique<harness::ServiceProcess>(BAZAAR_PAYMENT_SERVICE_BIN,
                                                         service_env(std::move(extra)));
  }

  events::Event order_created(const std::string& order_id, long long cents,
                              const std::string& currency = "EUR") {
    return events::make_event("order.created", order_id, "/services/order",
                              order_data(order_id, ids::uuid_v4(), cents, currency));
  }

  void publish(const events::Event& e) {
    asio::co_spawn(ioc_, producer_->send(e), asio::use_future).get();
  }
  void publish_raw(const std::string& key, const std::string& value, events::Headers headers) {
    std::string topic = "order.created";
    asio::co_spawn(ioc_, producer_->send_raw(std::move(topic), key, value, std::move(headers)),
                   asio::use_future)
        .get();
  }

  pg::Result sql(const std::string& query, pg::Params params = {}) {
    return asio::co_spawn(
               ioc_,
               [](pg::Pool* p, std::string q, pg::Params ps) -> pg::Task<pg::Result> {
                 co_return co_await p->query_sql(std::move(q), std::move(ps));
               }(pool_.get(), query, std::move(params)),
               asio::use_future)
        .get();
  }
  long long count(const std::string& query, pg::Params params = {}) {
    return std::stoll(std::string(sql(query, std::move(params)).get(0, 0)));
  }

  http::ClientResponse get_payment(const std::string& order_id) {
    return client_.get(service_->url("/payments/" + order_id));
  }
  // 0 when the service does not answer (it died: the assertion shows its output).
  int payment_status(const std::string& order_id) {
    try {
      return get_payment(order_id).status;
    } catch (const http::ClientError&) {
      return 0;
    }
  }

  void wait_for_payment(const std::string& order_id) {
    ASSERT_TRUE(harness::wait_until([&] { return payment_status(order_id) == 200; }, 60s))
        << "no payment for order " << order_id << "\n"
        << service_->process().output();
  }

  // The value of one series on /metrics, 0 when it is not there yet.
  double metric(const std::string& series) {
    auto r = client_.get(service_->url("/metrics"));
    std::string needle = "\n" + series + " ";
    auto at = r.body.find(needle);
    if (at == std::string::npos) return 0;
    return std::stod(r.body.substr(at + needle.size()));
  }
  void wait_for_metric(const std::string& series, double at_least) {
    ASSERT_TRUE(harness::wait_until([&] { return metric(series) >= at_least; }, 60s))
        << series << " did not reach " << at_least << "\n"
        << service_->process().output();
  }

  // Every result event of `order_ids` on payment.succeeded and payment.failed. Waits until the
  // outbox is empty (everything committed has been acknowledged by Kafka), then reads both
  // topics whole: the payments table says how many logical events they hold in all.
  std::vector<Result> results_for(const std::set<std::string>& order_ids) {
    EXPECT_TRUE(harness::wait_until([&] { return count("SELECT count(*) FROM outbox") == 0; }, 60s))
        << "the outbox was not relayed";
    auto expected = [&](const char* status) {
      return static_cast<std::size_t>(
          count("SELECT count(*) FROM payments WHERE status = $1", {std::string(status)}));
    };
    // More than can be there, so that peek reads for its whole timeout and sees duplicates.
    auto read = [this](std::string topic, std::size_t n) {
      return events::peek(kafka(), topic, n + 100, 6s);
    };
    auto ok = std::async(std::launch::async, read, kSucceeded, expected("SUCCEEDED"));
    auto failed = std::async(std::launch::async, read, kFailed, expected("FAILED"));
    std::vector<Result> out;
    for (auto* f : {&ok, &failed}) {
      for (auto& m : f->get()) {
        if (!order_ids.contains(m.key)) continue;
        out.push_back({m.topic, header(m.headers, "ce_id"), json::parse(m.value).as_object(), m});
      }
    }
    return out;
  }

  static harness::PgCluster* pg_;
  static harness::KafkaBroker* kafka_;
  static std::unique_ptr<harness::ServiceProcess> service_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::thread loop_;
  std::unique_ptr<pg::Pool> pool_;
  std::unique_ptr<events::Producer> producer_;
  http::BlockingClient client_;
};
harness::PgCluster* Payment::pg_ = nullptr;
harness::KafkaBroker* Payment::kafka_ = nullptr;
std::unique_ptr<harness::ServiceProcess> Payment::service_;
}  // namespace

TEST_F(Payment, AnOrderIsChargedAndPaymentSucceededIsPublished) {
  auto order_id = ids::uuid_v4();
  auto user_id = ids::uuid_v4();
  const std::string trace_id = ids::random_hex(16);
  auto e = events::make_event("order.created", order_id, "/services/order",
                              order_data(order_id, user_id, 1'200, "EUR"),
                              "00-" + trace_id + "-" + ids::random_hex(8) + "-01");
  publish(e);
  wait_for_payment(order_id);

  auto r = get_payment(order_id);
  ASSERT_EQ(r.status, 200) << r.body;
  auto p = r.json().as_object();
  EXPECT_EQ(p.at("order_id"), json::value(order_id));
  EXPECT_EQ(p.at("status"), json::value("SUCCEEDED"));
  EXPECT_EQ(p.at("amount_cents"), json::value(1'200));
  EXPECT_EQ(p.at("currency"), json::value("EUR"));
  EXPECT_FALSE(p.contains("reason"));
  std::string payment_id(p.at("payment_id").as_string());
  EXPECT_TRUE(ids::is_uuid(payment_id));

  auto results = results_for({order_id});
  ASSERT_EQ(results.size(), 1u);
  const auto& got = results.front();
  EXPECT_EQ(got.topic, kSucceeded);
  EXPECT_EQ(got.raw.key, order_id);
  EXPECT_EQ(got.data, (json::object{{"order_id", order_id},
                                    {"user_id", user_id},
                                    {"total_cents", 1'200},
                                    {"currency", "EUR"},
                                    {"payment_id", payment_id}}));
  EXPECT_EQ(header(got.raw.headers, "ce_type"), "bazaar.payment.succeeded");
  EXPECT_EQ(header(got.raw.headers, "ce_source"), "/services/payment");
  EXPECT_EQ(header(got.raw.headers, "ce_specversion"), "1.0");
  // The payment is part of the order's trace.
  auto traceparent = header(got.raw.headers, "traceparent");
  EXPECT_EQ(traceparent.substr(0, 36), "00-" + trace_id + "-") << traceparent;
  EXPECT_NE(traceparent, e.traceparent);

  EXPECT_EQ(count("SELECT count(*) FROM provider_charges WHERE idempotency_key = $1", {order_id}),
            1);
}

TEST_F(Payment, ADeclinedChargePublishesPaymentFailedWithTheReason) {
  auto over_limit = ids::uuid_v4();
  auto test_currency = ids::uuid_v4();
  publish(order_created(over_limit, 100'001));
  publish(order_created(test_currency, 500, "XTS"));  // PAYMENT_DECLINE_CURRENCIES=XTS
  wait_for_payment(over_limit);
  wait_for_payment(test_currency);

  auto p = get_payment(over_limit).json().as_object();
  EXPECT_EQ(p.at("status"), json::value("FAILED"));
  EXPECT_EQ(p.at("reason"), json::value("amount exceeds limit"));
  EXPECT_EQ(p.at("amount_cents"), json::value(100'001));
  EXPECT_TRUE(ids::is_uuid(p.at("payment_id").as_string()));
  EXPECT_EQ(get_payment(test_currency).json().at("reason"), json::value("currency not accepted"));

  std::map<std::string, Result> by_order;
  for (auto& r : results_for({over_limit, test_currency})) by_order[r.raw.key] = r;
  ASSERT_EQ(by_order.size(), 2u);
  for (const auto& [order_id, r] : by_order) {
    EXPECT_EQ(r.topic, kFailed);
    EXPECT_EQ(header(r.raw.headers, "ce_type"), "bazaar.payment.failed");
    EXPECT_FALSE(r.data.contains("payment_id"));
  }
  EXPECT_EQ(by_order[over_limit].data.at("reason"), json::value("amount exceeds limit"));
  EXPECT_EQ(by_order[over_limit].data.at("total_cents"), json::value(100'001));
  EXPECT_EQ(by_order[test_currency].data.at("reason"), json::value("currency not accepted"));
  EXPECT_EQ(by_order[test_currency].data.at("currency"), json::value("XTS"));
}

TEST_F(Payment, TheSameEventDeliveredTwiceChargesOnce) {
  const std::string redelivered = "payment_events_ignored_total{reason=\"redelivered\"}";
  double before = metric(redelivered);
  auto order_id = ids::uuid_v4();
  auto e = order_created(order_id, 2'500);
  publish(e);
  publish(e);  // the identical message: same ce_id
  wait_for_payment(order_id);
  wait_for_metric(redelivered, before + 1);

  EXPECT_EQ(count("SELECT count(*) FROM payments WHERE order_id = $1", {order_id}), 1);
  EXPECT_EQ(count("SELECT count(*) FROM provider_charges WHERE idempotency_key = $1", {order_id}),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM inbox WHERE event_id = $1", {e.id}), 1);
  auto results = results_for({order_id});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.front().topic, kSucceeded);
}

TEST_F(Payment, TwoEventsForTheSameOrderStillMakeOnePayment) {
  const std::string paid = "payment_events_ignored_total{reason=\"already_paid\"}";
  double before = metric(paid);
  auto order_id = ids::uuid_v4();
  auto first = order_created(order_id, 3'000);
  auto second = order_created(order_id, 3'000);  // a duplicate publish: a new ce_id
  ASSERT_NE(first.id, second.id);
  publish(first);
  publish(second);
  wait_for_payment(order_id);
  wait_for_metric(paid, before + 1);

  EXPECT_EQ(count("SELECT count(*) FROM payments WHERE order_id = $1", {order_id}), 1);
  EXPECT_EQ(count("SELECT count(*) FROM provider_charges WHERE idempotency_key = $1", {order_id}),
            1);
  // Both event ids are in the inbox: the second was seen and deliberately left alone.
  EXPECT_EQ(count("SELECT count(*) FROM inbox WHERE event_id IN ($1, $2)", {first.id, second.id}),
            2);
  auto results = results_for({order_id});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.front().data.at("payment_id"), get_payment(order_id).json().at("payment_id"));
}

TEST_F(Payment, MalformedEventsAreDeadLetteredAndTheNextOneIsHandled) {
  auto order_id = ids::uuid_v4();
  // One key for all three, so they share a partition and arrive in this order.
  auto not_json = events::make_event("order.created", order_id, "/services/order", "{}");
  publish_raw(order_id, "{not json", events::to_headers(not_json));
  auto negative = events::make_event("order.created", order_id, "/services/order",
                                     order_data(order_id, ids::uuid_v4(), -5, "EUR"));
  publish(negative);
  auto bad_currency = events::make_event("order.created", order_id, "/services/order",
                                         order_data(order_id, ids::uuid_v4(), 700, "euro"));
  publish(bad_currency);
  publish(order_created(order_id, 700));
  wait_for_payment(order_id);
  EXPECT_EQ(get_payment(order_id).json().at("status"), json::value("SUCCEEDED"));

  std::map<std::string, events::RawMessage> dead;  // by ce_id
  ASSERT_TRUE(harness::wait_until(
      [&] {
        for (auto& m : events::peek(kafka(), "order.created.dlq", 1'000, 3s))
          if (m.key == order_id) dead[header(m.headers, "ce_id")] = m;
        return dead.size() >= 3;
      },
      60s))
      << "dead letters seen: " << dead.size();
  EXPECT_EQ(dead.size(), 3u);
  EXPECT_EQ(dead[not_json.id].value, "{not json");
  EXPECT_NE(header(dead[not_json.id].headers, "dlq_reason").find("not JSON"), std::string::npos);
  EXPECT_EQ(header(dead[negative.id].headers, "dlq_reason"),
            "invalid order.created: total_cents must be greater than 0");
  EXPECT_EQ(header(dead[negative.id].headers, "dlq_consumer_group"), "payment-service");
  EXPECT_EQ(header(dead[bad_currency.id].headers, "dlq_reason"),
            "invalid order.created: currency must be an ISO 4217 code of three upper-case letters");
  EXPECT_EQ(header(dead[bad_currency.id].headers, "dlq_original_topic"), "order.created");

  EXPECT_EQ(count("SELECT count(*) FROM payments WHERE order_id = $1", {order_id}), 1);
  EXPECT_EQ(results_for({order_id}).size(), 1u);
}

TEST_F(Payment, AChargeTheProviderMadeBeforeACrashIsAnsweredAgainNotRepeated) {
  // What a crash between the charge and the commit leaves behind: the provider's ledger has
  // the charge, the payments table has nothing, the event is delivered again.
  auto order_id = ids::uuid_v4();
  sql("INSERT INTO provider_charges (idempotency_key, outcome, reason, amount_cents, currency)"
      " VALUES ($1, 'declined', 'card expired', 800, 'EUR')",
      {order_id});
  publish(order_created(order_id, 800));
  wait_for_payment(order_id);

  // The rules would approve 800 EUR: the answer came from the ledger, not from a new charge.
  auto p = get_payment(order_id).json().as_object();
  EXPECT_EQ(p.at("status"), json::value("FAILED"));
  EXPECT_EQ(p.at("reason"), json::value("card expired"));
  EXPECT_EQ(count("SELECT count(*) FROM provider_charges WHERE idempotency_key = $1", {order_id}),
            1);
  auto results = results_for({order_id});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results.front().topic, kFailed);
  EXPECT_EQ(results.front().data.at("reason"), json::value("card expired"));
}

TEST_F(Payment, AnUnavailableProviderIsAskedAgainUntilItAnswers) {
  // 60 % of calls fail transiently: each failure rolls the event's transaction back and the
  // consumer retries it with backoff, never skipping ahead and never charging twice.
  start_service({{"PAYMENT_FAILURE_RATE", "0.6"}});
  std::set<std::string> orders;
  for (int i = 0; i < 10; ++i) {
    auto id = ids::uuid_v4();
    orders.insert(id);
    publish(order_created(id, 100 + i));
  }
  for (const auto& id : orders) wait_for_payment(id);
  // At least one of the (10 or more) calls failed, but for a chance of 0.4^10.
  EXPECT_GE(metric("payment_provider_calls_total{outcome=\"unavailable\"}"), 1);
  for (const auto& id : orders) {
    EXPECT_EQ(get_payment(id).json().at("status"), json::value("SUCCEEDED"));
    EXPECT_EQ(count("SELECT count(*) FROM provider_charges WHERE idempotency_key = $1", {id}), 1);
  }
  EXPECT_EQ(results_for(orders).size(), orders.size());
  start_service();
}

TEST_F(Payment, SigkillWhileEventsStreamInLeavesOnePaymentAndOneChargePerOrder) {
  // Each charge takes 20 ms, so the stream lasts a few seconds and the kill lands in it.
  const std::map<std::string, std::string> slow{{"PAYMENT_LATENCY", "20ms"}};
  start_service(slow);
  constexpr int kOrders = 80;
  std::vector<events::Event> stream;
  std::set<std::string> orders;
  for (int i = 0; i < kOrders; ++i) {
    auto id = ids::uuid_v4();
    orders.insert(id);
    stream.push_back(order_created(id, i % 5 == 0 ? 250'000 : 1'000 + i));
    // Some orders are published twice, with new event ids, later in the stream.
    if (i % 10 == 3) stream.push_back(order_created(id, 1'000 + i));
  }
  std::string in_list = "{";
  for (const auto& id : orders) in_list += (in_list.size() > 1 ? "," : "") + id;
  in_list += "}";
  auto payments = [&] {
    return count("SELECT count(*) FROM payments WHERE order_id = ANY($1::uuid[])", {in_list});
  };

  std::atomic<bool> publishing_failed{false};
  std::thread publisher([&] {
    try {
      for (const auto& e : stream) {
        publish(e);
        std::this_thread::sleep_for(10ms);
      }
    } catch (const std::exception&) {
      publishing_failed = true;
    }
  });
  // Charged but not recorded: the provider answered and the payment has not committed yet.
  auto charged_unrecorded = [&] {
    return count(
        "SELECT count(*) FROM provider_charges c WHERE c.idempotency_key = ANY($1::text[])"
        " AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id::text = c.idempotency_key)",
        {in_list});
  };
  // Aim the kill at that moment (half of each charge's latency comes after the provider
  // recorded it), and kill anyway when it is not caught before 40 orders are paid.
  bool mid_stream = harness::wait_until(
      [&] {
        auto paid = payments();
        return (paid >= 15 && charged_unrecorded() > 0) || paid >= 40;
      },
      60s);
  service_->process().signal(SIGKILL);
  EXPECT_EQ(service_->process().wait(10s), 128 + SIGKILL);
  publisher.join();
  ASSERT_FALSE(publishing_failed);
  ASSERT_TRUE(mid_stream) << service_->process().output();
  auto at_kill = payments();
  EXPECT_LT(at_kill, kOrders) << "the kill did not land mid-stream";
  // Whether the crash fell between a charge and its commit; the redelivery then finds the
  // charge in the provider's ledger.
  auto unrecorded = charged_unrecorded();
  RecordProperty("payments_at_kill", static_cast<int>(at_kill));
  RecordProperty("charged_but_unrecorded_at_kill", static_cast<int>(unrecorded));
  std::printf("killed with %lld of %d orders paid, %lld charged but not yet recorded\n", at_kill,
              kOrders, unrecorded);

  // The restarted process resumes from the last committed offsets. The killed member stays in
  // the consumer group until its session times out, so the stream resumes after that.
  start_service(slow);
  ASSERT_TRUE(harness::wait_until([&] { return payments() == kOrders; }, 180s))
      << payments() << " of " << kOrders << " orders paid\n"
      << service_->process().output();

  // Each charge the crash left unrecorded was answered from the ledger after the restart.
  EXPECT_GE(metric("payment_provider_calls_total{outcome=\"replayed\"}"),
            static_cast<double>(unrecorded));

  auto per_order =
      sql("SELECT o, (SELECT count(*) FROM payments WHERE order_id::text = o),"
          " (SELECT count(*) FROM provider_charges WHERE idempotency_key = o)"
          " FROM unnest($1::text[]) AS o",
          {in_list});
  ASSERT_EQ(per_order.rows(), kOrders);
  for (int i = 0; i < per_order.rows(); ++i) {
    EXPECT_EQ(per_order.get(i, 1), "1") << "payments of " << per_order.get(i, 0);
    EXPECT_EQ(per_order.get(i, 2), "1") << "provider charges of " << per_order.get(i, 0);
  }

  // One result event per order across both topics. The outbox relay publishes at least once:
  // a kill after Kafka acknowledged a batch and before the relay deleted it from the outbox
  // sends that batch again after the restart, as the very same events (same ce_id), which
  // consumers drop through their inbox. So: exactly one event id per order, and every copy
  // of it identical.
  std::map<std::string, std::set<std::string>> event_ids;
  std::map<std::string, std::set<std::string>> bodies;
  std::size_t copies = 0;
  for (const auto& r : results_for(orders)) {
    event_ids[r.raw.key].insert(r.ce_id);
    bodies[r.raw.key].insert(r.topic + " " + r.raw.value);
    ++copies;
  }
  EXPECT_EQ(event_ids.size(), orders.size());
  for (const auto& id : orders) {
    EXPECT_EQ(event_ids[id].size(), 1u) << "result events of order " << id;
    EXPECT_EQ(bodies[id].size(), 1u) << "result events of order " << id;
  }
  RecordProperty("relay_redeliveries", static_cast<int>(copies - event_ids.size()));
  std::printf("result events read: %zu for %zu orders\n", copies, event_ids.size());
  auto failed =
      count("SELECT count(*) FROM payments WHERE order_id = ANY($1::uuid[]) AND status = 'FAILED'",
            {in_list});
  EXPECT_EQ(failed, kOrders / 5);

  start_service();  // the suite's usual service for any test after this one
}

TEST_F(Payment, LookupsAnswer404ForAnUnknownOrderAnd400ForANonUuid) {
  auto r = get_payment(ids::uuid_v4());
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(get_payment("not-a-uuid").status, 400);
  auto spec = client_.get(service_->url("/openapi.yaml"));
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.body.rfind("openapi: 3.1.0", 0), 0u);
  auto ready = client_.get(service_->url("/health/ready"));
  EXPECT_EQ(ready.status, 200);
  EXPECT_EQ(ready.json().at("checks").at("database"), json::value("ok"));
  auto metrics = client_.get(service_->url("/metrics"));
  EXPECT_NE(metrics.body.find("http_server_request_duration_seconds"), std::string::npos);
}

TEST_F(Payment, StartUpRefusesABadProviderSetting) {
  for (auto [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"PAYMENT_FAILURE_RATE", "1.5"},
                                                        {"PAYMENT_DECLINE_CURRENCIES", "XTS,EURO"},
                                                        {"PAYMENT_DECLINE_ABOVE_CENTS", "-1"},
                                                        {"PAYMENT_LATENCY", "soon"}}) {
    harness::Process p(BAZAAR_PAYMENT_SERVICE_BIN, service_env({{name, value}}));
    EXPECT_EQ(p.wait(10s), 2) << name;
    EXPECT_NE(p.output().find("config: " + name + ":"), std::string::npos) << p.output();
  }
  auto env = service_env();
  env.erase("KAFKA_BROKERS");
  harness::Process p(BAZAAR_PAYMENT_SERVICE_BIN, env);
  EXPECT_EQ(p.wait(10s), 2);
  EXPECT_NE(p.output().find("KAFKA_BROKERS: required"), std::string::npos) << p.output();
}
