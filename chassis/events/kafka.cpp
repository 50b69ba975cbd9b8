#include "chassis/events/kafka.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <thread>
#include <variant>

#include "chassis/core/ids.hpp"
#include "chassis/core/log.hpp"
#include "chassis/events/batch.hpp"

namespace bazaar::events {
namespace asio = boost::asio;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

struct ConfDeleter {
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
};
using ConfPtr = std::unique_ptr<rd_kafka_conf_t, ConfDeleter>;

ConfPtr make_conf(const KafkaOptions& o,
                  std::initializer_list<std::pair<const char*, std::string>> extra) {
  ConfPtr conf(rd_kafka_conf_new());
  char err[512];
  auto set = [&](const char* k, const std::string& v) {
    if (rd_kafka_conf_set(conf.get(), k, v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
      throw KafkaError(std::string("kafka: config ") + k + ": " + err);
  };
  set("bootstrap.servers", o.brokers);
  set("client.id", o.client_id);
  // Small requests on a latency path: with Nagle on, a produce or fetch can wait for the
  // peer's delayed ACK (40 ms on Linux) — that was most of each saga hop.
  set("socket.nagle.disable", "true");
  for (const auto& [k, v] : extra) set(k, v);
  return conf;
}

rd_kafka_t* make_client(rd_kafka_type_t type, ConfPtr conf) {
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(type, conf.get(), err, sizeof err);
  if (rk == nullptr) throw KafkaError(std::string("kafka: ") + err);
  conf.release();  // rd_kafka_new took it
  return rk;
}

// What the delivery report hands back to the coroutine awaiting it.
struct Delivery {
  explicit Delivery(asio::any_io_executor ex) : signal(std::move(ex)) {
    signal.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer signal;
  rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
  bool done = false;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void*) {
  auto* holder = static_cast<std::shared_ptr<Delivery>*>(m->_private);
  std::shared_ptr<Delivery> d = std::move(*holder);
  delete holder;
  d->err = m->err;
  // Runs on the poll thread: hand over to the awaiting coroutine's own thread.
  auto ex = d->signal.get_executor();
  asio::post(ex, [d] {
    d->done = true;
    d->signal.cancel();
  });
}

Headers headers_of(const rd_kafka_message_t* m) {
  Headers out;
  rd_kafka_headers_t* hdrs = nullptr;
  if (rd_kafka_message_headers(m, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0;
       rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
    out.emplace_back(name, value != nullptr ? std::string(static_cast<const char*>(value), size)
                                            : std::string());
  }
  return out;
}

// The first topic of `names` the broker does not serve yet (unknown to its metadata, or a
// partition without a leader); "" when it serves them all.
std::string first_unserved(rd_kafka_t* rk, const std::vector<std::string>& names, int timeout_ms) {
  const struct rd_kafka_metadata* md = nullptr;
  if (rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms) != RD_KAFKA_RESP_ERR_NO_ERROR)
    return names.front();
  std::string missing;
  for (const auto& name : names) {
    bool served = false;
    for (int t = 0; t < md->topic_cnt && !served; ++t) {
      const auto& topic = md->topics[t];
      if (name != topic.topic || topic.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
      served = topic.partition_cnt > 0;
      for (int p = 0; p < topic.partition_cnt; ++p)
        served = served && topic.partitions[p].leader >= 0;
    }
    if (!served) {
      missing = name;
      break;
    }
  }
  rd_kafka_metadata_destroy(md);
  return missing;
}

// CreateTopics answers "already exists" for a topic another service is still creating, before
// the broker serves it. A consumer that subscribes then is told the topic does not exist and
// looks again only at its next metadata refresh, minutes later: its events wait that long.
// So start-up waits until the broker's metadata lists every topic with a leader for each
// partition.
void wait_until_served(rd_kafka_t* rk, const std::vector<std::string>& names,
                       std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    auto missing =
        first_unserved(rk, names, static_cast<int>(std::max<long long>(left.count(), 1)));
    if (missing.empty()) return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw KafkaError("kafka: topic " + missing + " was created but is not served yet");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}
}  // namespace

void ensure_topics(const KafkaOptions& options, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  rd_kafka_t* rk = make_client(RD_KAFKA_PRODUCER, make_conf(options, {}));
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> client(rk, rd_kafka_destroy);
  std::vector<rd_kafka_NewTopic_t*> wanted;
  std::vector<std::string> names;
  char err[512];
  for (const auto& t : topics) {
    for (const std::string& name : {t.name, t.name + ".dlq"}) {
      auto* nt = rd_kafka_NewTopic_new(name.c_str(), t.partitions, -1, err, sizeof err);
      if (nt == nullptr) throw KafkaError("kafka: topic " + name + ": " + err);
      wanted.push_back(nt);
      names.push_back(name);
    }
  }
  rd_kafka_queue_t* queue = rd_kafka_queue_new(rk);
  rd_kafka_AdminOptions_t* opts = rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS);
  rd_kafka_AdminOptions_set_operation_timeout(opts, static_cast<int>(timeout.count()), err,
                                              sizeof err);
  rd_kafka_CreateTopics(rk, wanted.data(), wanted.size(), opts, queue);
  rd_kafka_event_t* ev = rd_kafka_queue_poll(queue, static_cast<int>(timeout.count()) + 1000);
  std::string failure;
  if (ev == nullptr) {
    failure = "kafka: no answer to CreateTopics from " + options.brokers;
  } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
    failure = std::string("kafka: CreateTopics: ") + rd_kafka_event_error_string(ev);
  } else {
    size_t n = 0;
    const auto* res = rd_kafka_event_CreateTopics_result(ev);
    const rd_kafka_topic_result_t** results = rd_kafka_CreateTopics_result_topics(res, &n);
    for (size_t i = 0; i < n; ++i) {
      auto e = rd_kafka_topic_result_error(results[i]);
      if (e != RD_KAFKA_RESP_ERR_NO_ERROR && e != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
        failure = std::string("kafka: topic ") + rd_kafka_topic_result_name(results[i]) + ": " +
                  rd_kafka_topic_result_error_string(results[i]);
      }
    }
  }
  if (ev != nullptr) rd_kafka_event_destroy(ev);
  rd_kafka_AdminOptions_destroy(opts);
  rd_kafka_NewTopic_destroy_array(wanted.data(), wanted.size());
  rd_kafka_queue_destroy(queue);
  if (!failure.empty()) throw KafkaError(failure);
  wait_until_served(rk, names, deadline);
}

std::vector<RawMessage> peek(const KafkaOptions& options, const std::string& topic,
                             std::size_t count, std::chrono::milliseconds timeout) {
  // A group of its own that never commits: reading changes nothing for anyone else.
  auto conf = make_conf(options, {{"group.id", "peek-" + ids::uuid_v4()},
                                  {"enable.auto.commit", "false"},
                                  {"auto.offset.reset", "earliest"}});
  rd_kafka_t* rk = make_client(RD_KAFKA_CONSUMER, std::move(conf));
  rd_kafka_poll_set_consumer(rk);
  auto* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), RD_KAFKA_PARTITION_UA);
  rd_kafka_subscribe(rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  std::vector<RawMessage> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < count && std::chrono::steady_clock::now() < deadline) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (m == nullptr) continue;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out.push_back({topic,
                     m->key != nullptr ? std::string(static_cast<const char*>(m->key), m->key_len)
                                       : std::string(),
                     m->payload != nullptr
                         ? std::string(static_cast<const char*>(m->payload), m->len)
                         : std::string(),
                     headers_of(m)});
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return out;
}

struct Producer::Impl {
  rd_kafka_t* rk = nullptr;
  std::atomic<bool> stopping{false};
  std::thread poller;
};

Producer::Producer(const KafkaOptions& options) : impl_(std::make_unique<Impl>()) {
  // No linger: the relay hands over a whole outbox batch at once, so waiting for more
  // messages has nothing to gather and only delays each hop (ADR 0016).
  auto conf = make_conf(options, {{"enable.idempotence", "true"},
                                  {"acks", "all"},
                                  {"linger.ms", "0"},
                                  {"message.timeout.ms", "30000"}});
  rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
  impl_->rk = make_client(RD_KAFKA_PRODUCER, std::move(conf));
  Impl* impl = impl_.get();
  impl_->poller = std::thread([impl] {
    while (!impl->stopping.load()) rd_kafka_poll(impl->rk, 100);
  });
}

Producer::~Producer() {
  flush(std::chrono::seconds(10));
  impl_->stopping = true;
  impl_->poller.join();
  rd_kafka_poll(impl_->rk, 0);
  rd_kafka_destroy(impl_->rk);
}

void Producer::flush(std::chrono::milliseconds timeout) {
  rd_kafka_flush(impl_->rk, static_cast<int>(timeout.count()));
}

Task<void> Producer::send(Event e) {
  auto headers = to_headers(e);
  return send_raw(std::move(e.topic), std::move(e.key), std::move(e.data), std::move(headers));
}

Task<void> Producer::send_raw(std::string topic, std::string key, std::string value,
                              Headers headers) {
  auto d = std::make_shared<Delivery>(co_await asio::this_coro::executor);
  for (;;) {
    rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
    for (const auto& [k, v] : headers)
      rd_kafka_header_add(hdrs, k.data(), static_cast<ssize_t>(k.size()), v.data(),
                          static_cast<ssize_t>(v.size()));
    auto* holder = new std::shared_ptr<Delivery>(d);
    auto err = rd_kafka_producev(
        impl_->rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_KEY(key.data(), key.size()),
        RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(holder), RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR_NO_ERROR) break;
    rd_kafka_headers_destroy(hdrs);
    delete holder;
    if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL)
      throw KafkaError("kafka: cannot produce to " + topic + ": " + rd_kafka_err2str(err));
    // The local queue is full: let deliveries drain, then try again.
    asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(10));
    co_await pause.async_wait(nothrow);
  }
  if (!d->done) co_await d->signal.async_wait(nothrow);
  if (d->err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw KafkaError("kafka: delivery to " + topic + " failed: " + rd_kafka_err2str(d->err));
}

struct Consumer::Impl {
  rd_kafka_t* rk = nullptr;
  Producer* dead_letters = nullptr;
  std::string group;
  std::atomic<bool> stopping{false};
  std::thread poller;

  void run(asio::any_io_executor ex, Handler handler, BatchHandler batch);
};

namespace {
// At most this many events per poll, and this many keys handled at once: each handler holds
// a database transaction, so the bound keeps the worker's pool free for its HTTP requests.
constexpr std::size_t kMaxBatch = 256;
constexpr std::size_t kMaxInFlight = 16;

struct Item {
  rd_kafka_message_t* m = nullptr;
  std::variant<Event, std::string> parsed;
  bool handled = false;
};

struct Batch {
  Consumer::Impl* impl;
  const Consumer::Handler* handler;
  std::vector<Item> items;
  std::vector<std::vector<std::size_t>> chains;
  std::size_t next_chain = 0;
};

// Sends `item` to `<topic>.dlq` with the reason; retries until it is taken or the consumer
// stops. True once it is on the dead-letter topic.
Task<bool> dead_letter(Batch* b, Item* item, std::string why) {
  const rd_kafka_message_t* m = item->m;
  std::string topic = rd_kafka_topic_name(m->rkt);
  Headers h = headers_of(m);
  h.emplace_back("dlq_reason", why);
  h.emplace_back("dlq_original_topic", topic);
  h.emplace_back("dlq_consumer_group", b->impl->group);
  std::string key(static_cast<const char*>(m->key), m->key_len);
  std::string value(static_cast<const char*>(m->payload), m->len);
  log::warn("event dead-lettered", {{"topic", topic}, {"key", key}, {"reason", why}});
  for (int attempt = 0; !b->impl->stopping.load(); ++attempt) {
    std::string failure;
    try {
      co_await b->impl->dead_letters->send_raw(topic + ".dlq", key, value, h);
      co_return true;
    } catch (const std::exception& e) {
      failure = e.what();
    }
    log::warn("dead-letter topic unreachable; retrying", {{"error", failure}});
    asio::steady_timer pause(
        co_await asio::this_coro::executor,
        std::chrono::milliseconds(std::min(5000, 100 << std::min(attempt, 6))));
    co_await pause.async_wait(nothrow);
  }
  co_return false;
}

// Transient failures are retried with backoff, never skipped: the partition only moves on
// once the handler has succeeded or the event went to the dead-letter topic.
Task<void> handle_item(Batch* b, Item* item) {
  if (item->handled) co_return;  // by the batch handler
  if (auto* why = std::get_if<std::string>(&item->parsed)) {
    item->handled = co_await dead_letter(b, item, *why);
    co_return;
  }
  const Event& event = std::get<Event>(item->parsed);
  for (int attempt = 0; !b->impl->stopping.load(); ++attempt) {
    std::string failure;
    bool unprocessable = false;
    try {
      co_await (*b->handler)(event);
      item->handled = true;
      co_return;
    } catch (const Unprocessable& e) {
      unprocessable = true;
      failure = e.what();
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (unprocessable) {
      item->handled = co_await dead_letter(b, item, failure);
      co_return;
    }
    log::warn(
        "event handler failed; retrying",
        {{"topic", event.topic}, {"key", event.key}, {"attempt", attempt + 1}, {"error", failure}});
    asio::steady_timer pause(co_await asio::this_coro::executor,
                             std::chrono::milliseconds(std::min(5000, 50 << std::min(attempt, 7))));
    co_await pause.async_wait(nothrow);
  }
}

// Takes the next key's chain until none is left; a chain stops at an event it could not
// handle (the consumer is stopping), so no later event of that key overtakes it.
Task<void> work_chains(Batch* b) {
  while (b->next_chain < b->chains.size()) {
    const auto& chain = b->chains[b->next_chain++];
    for (std::size_t i : chain) {
      co_await handle_item(b, &b->items[i]);
      if (!b->items[i].handled) break;
    }
  }
}

// Runs on the consumer's executor (one thread): up to kMaxInFlight chains at once.
Task<void> handle_batch(Batch* b) {
  auto ex = co_await asio::this_coro::executor;
  struct Join {
    explicit Join(asio::any_io_executor e) : done(std::move(e)) {
      done.expires_at(asio::steady_timer::time_point::max());
    }
    std::size_t running = 0;
    asio::steady_timer done;
  };
  auto join = std::make_shared<Join>(ex);
  join->running = std::min(b->chains.size(), kMaxInFlight);
  std::size_t workers = join->running;
  for (std::size_t w = 0; w < workers; ++w)
    asio::co_spawn(ex, work_chains(b), [join](std::exception_ptr) {
      if (--join->running == 0) join->done.cancel();
    });
  if (join->running > 0) co_await join->done.async_wait(nothrow);
}

// The batch handler over every event of the poll that parsed; those it took effect for (the
// first ones) are marked handled. A failure is no error of its own: the events are then
// handled one by one.
Task<void> try_batch(Batch* b, const Consumer::BatchHandler* batch) {
  std::vector<Event> events;
  for (const auto& item : b->items)
    if (const auto* e = std::get_if<Event>(&item.parsed)) events.push_back(*e);
  if (events.size() < 2) co_return;
  std::size_t count = events.size();
  std::size_t done = 0;
  std::string failure;
  try {
    done = co_await (*batch)(std::move(events));
  } catch (const std::exception& e) {
    failure = e.what();
  }
  if (!failure.empty()) {
    log::info(
        "event batch not handled together; handling its events one by one",
        {{"group", b->impl->group}, {"events", static_cast<long long>(count)}, {"error", failure}});
    co_return;
  }
  for (auto& item : b->items) {
    if (done == 0) break;
    if (!std::holds_alternative<Event>(item.parsed)) continue;
    item.handled = true;
    --done;
  }
}

// One poll's events: together as far as a batch handler takes them, then (what is left, or
// everything) one by one.
Task<void> handle_poll(Batch* b, const Consumer::BatchHandler* batch) {
  if (*batch) co_await try_batch(b, batch);
  co_await handle_batch(b);
}
}  // namespace

Consumer::Consumer(const KafkaOptions& options, std::string group, std::vector<std::string> topics,
                   Producer& dead_letters)
    : impl_(std::make_unique<Impl>()) {
  // Offsets are stored only once an event is handled and committed from there every 500 ms
  // (and on close or when partitions move): after a crash the last moments' events come
  // again, and the inbox makes that harmless. A member that died (SIGKILL) holds its
  // partitions until its session times out: 10 s rather than librdkafka's 45 s, so a
  // restarted replica resumes soon.
  auto conf = make_conf(options, {{"group.id", group},
                                  {"enable.auto.commit", "true"},
                                  {"enable.auto.offset.store", "false"},
                                  {"auto.commit.interval.ms", "500"},
                                  {"auto.offset.reset", "earliest"},
                                  {"enable.partition.eof", "false"},
                                  {"session.timeout.ms", "10000"},
                                  {"heartbeat.interval.ms", "2000"},
                                  // A subscribed topic the broker did not serve yet is
                                  // looked for again at each refresh: every 10 s, not 5 min.
                                  {"topic.metadata.refresh.interval.ms", "10000"}});
  impl_->rk = make_client(RD_KAFKA_CONSUMER, std::move(conf));
  impl_->dead_letters = &dead_letters;
  impl_->group = std::move(group);
  rd_kafka_poll_set_consumer(impl_->rk);
  auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const auto& t : topics)
    rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  auto err = rd_kafka_subscribe(impl_->rk, list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
    throw KafkaError(std::string("kafka: subscribe: ") + rd_kafka_err2str(err));
}

Consumer::~Consumer() {
  stop();
  rd_kafka_destroy(impl_->rk);
}

void Consumer::start(asio::any_io_executor executor, Handler handler, BatchHandler batch) {
  Impl* impl = impl_.get();
  impl_->poller = std::thread([impl, executor, handler = std::move(handler),
                               batch = std::move(batch)] { impl->run(executor, handler, batch); });
}

void Consumer::stop() {
  if (impl_->stopping.exchange(true)) return;
  if (impl_->poller.joinable()) impl_->poller.join();
  rd_kafka_consumer_close(impl_->rk);  // commits the stored offsets
}

void Consumer::Impl::run(asio::any_io_executor ex, Handler handler, BatchHandler batch) {
  while (!stopping.load()) {
    Batch b{this, &handler, {}, {}, 0};
    std::vector<Delivered> delivered;
    // Waits for the first event, then takes whatever else has already arrived.
    for (rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100); m != nullptr;
         m = b.items.size() < kMaxBatch ? rd_kafka_consumer_poll(rk, 0) : nullptr) {
      if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        log::warn("kafka consumer", {{"group", group}, {"error", rd_kafka_message_errstr(m)}});
        rd_kafka_message_destroy(m);
        continue;
      }
      std::string topic = rd_kafka_topic_name(m->rkt);
      std::string key = m->key != nullptr
                            ? std::string(static_cast<const char*>(m->key), m->key_len)
                            : std::string();
      std::string value = m->payload != nullptr
                              ? std::string(static_cast<const char*>(m->payload), m->len)
                              : std::string();
      auto parsed = from_message(topic, key, std::move(value), headers_of(m));
      delivered.push_back({topic, m->partition, m->offset, key});
      b.items.push_back({m, std::move(parsed), false});
    }
    if (b.items.empty()) continue;
    b.chains = chains_by_key(delivered);
    asio::co_spawn(ex, handle_poll(&b, &batch), asio::use_future).get();

    std::vector<bool> handled;
    for (const auto& item : b.items) handled.push_back(item.handled);
    auto positions = resume_positions(delivered, handled);
    if (!positions.empty()) {
      auto* list = rd_kafka_topic_partition_list_new(static_cast<int>(positions.size()));
      for (const auto& p : positions)
        rd_kafka_topic_partition_list_add(list, p.topic.c_str(), p.partition)->offset =
            p.next_offset;
      // Fails for partitions that moved to another member meanwhile: it reads them again.
      auto err = rd_kafka_offsets_store(rk, list);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR)
        log::info("kafka offsets not stored", {{"group", group}, {"error", rd_kafka_err2str(err)}});
      rd_kafka_topic_partition_list_destroy(list);
    }
    for (auto& item : b.items) rd_kafka_message_destroy(item.m);
  }
}

}  // namespace bazaar::events
