// chassis/events against a real Kafka broker: topics with explicit partitions, the
// CloudEvents envelope on the wire, at-least-once delivery with retries, dead letters.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chassis/core/ids.hpp"
#include "chassis/events/kafka.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;

namespace {
class KafkaEvents : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { broker_ = new harness::KafkaBroker(); }
  static void TearDownTestSuite() {
    delete broker_;
    broker_ = nullptr;
  }

  void SetUp() override {
    loop_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    ioc_.stop();
    loop_.join();
  }

  events::KafkaOptions options() { return {broker_->bootstrap(), "kafka-events-test"}; }

  // A fresh topic per test, so that tests never see each other's messages.
  std::string topic(const std::string& name) {
    std::string t = name + "." + ids::random_hex(4);
    events::ensure_topics(options(), {{t, 3}}, 20s);
    return t;
  }

  void send(events::Producer& p, events::Event e) {
    asio::co_spawn(ioc_, p.send(std::move(e)), asio::use_future).get();
  }

  static harness::KafkaBroker* broker_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::thread loop_;
};
harness::KafkaBroker* KafkaEvents::broker_ = nullptr;

// Collects what a consumer's handler saw.
struct Seen {
  std::mutex mutex;
  std::vector<events::Event> events;
  std::size_t size() {
    std::lock_guard l(mutex);
    return events.size();
  }
};

events::Task<void> record(Seen* seen, events::Event e) {
  std::lock_guard l(seen->mutex);
  seen->events.push_back(std::move(e));
  co_return;
}
}  // namespace

TEST_F(KafkaEvents, TopicsComeWithTheirDeadLetterTopicAndCreatingAgainIsHarmless) {
  auto t = topic("order.created");
  EXPECT_NO_THROW(events::ensure_topics(options(), {{t, 3}}, 20s));
  events::Producer producer(options());
  // Both exist: producing to a missing topic would fail (the broker does not auto-create).
  send(producer, events::make_event(t, "k", "/test", "{}"));
  EXPECT_NO_THROW(
      asio::co_spawn(ioc_, producer.send_raw(t + ".dlq", "k", "{}", {}), asio::use_future).get());
}

// Services starting together all ensure the same topics; the ones told "already exists" must
// not subscribe before the broker serves the topic, or their consumer hears of it only at its
// next metadata refresh, minutes later (a stall seen in the e2e test).
TEST_F(KafkaEvents, ServicesEnsuringTheSameTopicsTogetherAllReceiveItsEventsAtOnce) {
  std::string t = "order.confirmed." + ids::random_hex(4);
  events::Producer producer(options());
  constexpr int kServices = 3;
  Seen seen[kServices];
  std::unique_ptr<events::Consumer> consumers[kServices];
  std::vector<std::thread> starting;
  for (int i = 0; i < kServices; ++i) {
    starting.emplace_back([&, i] {
      events::ensure_topics(options(), {{t, 3}}, 20s);
      consumers[i] = std::make_unique<events::Consumer>(options(), "test-" + ids::random_hex(4),
                                                        std::vector<std::string>{t}, producer);
      consumers[i]->start(ioc_.get_executor(),
                          [s = &seen[i]](events::Event e) { return record(s, std::move(e)); });
    });
  }
  for (auto& th : starting) th.join();

  send(producer, events::make_event(t, "order-7", "/services/order", "{}"));
  for (int i = 0; i < kServices; ++i) {
    EXPECT_TRUE(harness::wait_until([&] { return seen[i].size() == 1; }, 30s))
        << "service " << i << " did not receive the event";
  }
  for (auto& c : consumers) c->stop();
}

TEST_F(KafkaEvents, AnEventArrivesWithItsEnvelopeKeyAndTrace) {
  auto t = topic("order.created");
  events::Producer producer(options());
  auto sent = events::make_event(
      t, "order-42", "/services/order",
      R"({"order_id":"order-42","user_id":"u","total_cents":1500,"currency":"EUR"})",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  send(producer, sent);

  Seen seen;
  events::Consumer consumer(options(), "test-" + ids::random_hex(4), {t}, producer);
  consumer.start(ioc_.get_executor(),
                 [&seen](events::Event e) { return record(&seen, std::move(e)); });
  ASSERT_TRUE(harness::wait_until([&] { return seen.size() == 1; }, 30s));
  consumer.stop();
  const auto& got = seen.events.front();
  EXPECT_EQ(got.id, sent.id);
  EXPECT_EQ(got.key, "order-42");
  EXPECT_EQ(got.type, "bazaar." + t);
  EXPECT_EQ(got.source, "/services/order");
  EXPECT_EQ(got.data, sent.data);
  EXPECT_EQ(got.traceparent, sent.traceparent);
}

TEST_F(KafkaEvents, AMalformedMessageGoesToTheDeadLetterTopicAndTheConsumerCarriesOn) {
  auto t = topic("payment.succeeded");
  events::Producer producer(options());
  // Same key, so both land on one partition in this order.
  asio::co_spawn(ioc_, producer.send_raw(t, "order-1", "{not json", {}), asio::use_future).get();
  send(producer,
       events::make_event(t, "order-1", "/services/payment", R"({"order_id":"order-1"})"));

  Seen seen;
  events::Consumer consumer(options(), "test-" + ids::random_hex(4), {t}, producer);
  consumer.start(ioc_.get_executor(),
                 [&seen](events::Event e) { return record(&seen, std::move(e)); });
  ASSERT_TRUE(harness::wait_until([&] { return seen.size() == 1; }, 30s));
  consumer.stop();

  auto dead = events::peek(options(), t + ".dlq", 1, 20s);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].value, "{not json");
  EXPECT_EQ(dead[0].key, "order-1");
  std::string reason;
  for (const auto& [k, v] : dead[0].headers)
    if (k == "dlq_reason") reason = v;
  EXPECT_NE(reason.find("ce_specversion"), std::string::npos) << reason;
}

namespace {
struct Flaky {
  std::atomic<int> calls{0};
  std::atomic<int> done{0};
};

events::Task<void> fail_twice_then_succeed(Flaky* f, events::Event) {
  if (++f->calls <= 2) throw std::runtime_error("database briefly away");
  ++f->done;
  co_return;
}

events::Task<void> always_fail(Flaky* f, events::Event) {
  ++f->calls;
  throw std::runtime_error("not now");
  co_return;
}

events::Task<void> reject(events::Event e) {
  throw events::Unprocessable("no such order: " + e.key);
  co_return;
}
}  // namespace

TEST_F(KafkaEvents, ATransientFailureIsRetriedUntilTheHandlerSucceeds) {
  auto t = topic("order.confirmed");
  events::Producer producer(options());
  send(producer, events::make_event(t, "order-7", "/services/order", "{}"));
  Flaky flaky;
  events::Consumer consumer(options(), "test-" + ids::random_hex(4), {t}, producer);
  consumer.start(ioc_.get_executor(), [&flaky](events::Event e) {
    return fail_twice_then_succeed(&flaky, std::move(e));
  });
  ASSERT_TRUE(harness::wait_until([&] { return flaky.done.load() == 1; }, 30s));
  consumer.stop();
  EXPECT_EQ(flaky.calls.load(), 3);
  EXPECT_TRUE(events::peek(options(), t + ".dlq", 1, 3s).empty());
}

TEST_F(KafkaEvents, AnUnprocessableEventIsDeadLetteredWithTheHandlersReason) {
  auto t = topic("order.cancelled");
  events::Producer producer(options());
  send(producer, events::make_event(t, "order-404", "/services/order", "{}"));
  events::Consumer consumer(options(), "test-" + ids::random_hex(4), {t}, producer);
  consumer.start(ioc_.get_executor(), reject);
  auto dead = events::peek(options(), t + ".dlq", 1, 30s);
  consumer.stop();
  ASSERT_EQ(dead.size(), 1u);
  std::string reason;
  for (const auto& [k, v] : dead[0].headers)
    if (k == "dlq_reason") reason = v;
  EXPECT_EQ(reason, "no such order: order-404");
}

TEST_F(KafkaEvents, AnEventNotYetHandledIsRedeliveredToTheNextMemberOfTheGroup) {
  auto t = topic("payment.failed");
  std::string group = "test-" + ids::random_hex(4);
  events::Producer producer(options());
  send(producer, events::make_event(t, "order-5", "/services/payment", "{}"));
  {
    // This member never succeeds: it is stopped with the event unhandled, so no commit.
    Flaky failing;
    events::Consumer first(options(), group, {t}, producer);
    first.start(ioc_.get_executor(),
                [&failing](events::Event e) { return always_fail(&failing, std::move(e)); });
    ASSERT_TRUE(harness::wait_until([&] { return failing.calls.load() >= 2; }, 30s));
    first.stop();
  }
  Seen seen;
  events::Consumer second(options(), group, {t}, producer);
  second.start(ioc_.get_executor(),
               [&seen](events::Event e) { return record(&seen, std::move(e)); });
  ASSERT_TRUE(harness::wait_until([&] { return seen.size() == 1; }, 30s));
  second.stop();
  EXPECT_EQ(seen.events.front().key, "order-5");
}
