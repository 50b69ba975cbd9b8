#pragma once
// Kafka through librdkafka, behind small types so that services never include rdkafka.h.
// The producer is idempotent with acks=all; the consumer commits an offset only after its
// handler has returned (at-least-once), retries transient failures with backoff without
// skipping ahead, and sends what can never be handled to `<topic>.dlq` with the reason.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "chassis/core/errors.hpp"
#include "chassis/events/envelope.hpp"

namespace bazaar::events {

template <typename T>
using Task = boost::asio::awaitable<T, boost::asio::any_io_executor>;

struct KafkaError : Failure {
  using Failure::Failure;
  bool transient() const override { return true; }
};

// Thrown by a handler for an event that no retry can fix (invalid content, unknown order):
// the event goes to the dead-letter topic and the consumer moves on.
struct Unprocessable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct KafkaOptions {
  std::string brokers;    // KAFKA_BROKERS, "127.0.0.1:9092"
  std::string client_id;  // the service's name
};

struct TopicSpec {
  std::string name;
  int partitions = 3;
};

// Creates what is missing of `topics` and of their dead-letter topics; existing topics are
// left as they are. Returns once the broker serves them all (a consumer subscribing next finds
// them). Blocking, for start-up. Throws KafkaError.
void ensure_topics(const KafkaOptions& options, const std::vector<TopicSpec>& topics,
                   std::chrono::milliseconds timeout);

struct RawMessage {
  std::string topic;
  std::string key;
  std::string value;
  Headers headers;
};

// Reads up to `count` messages of `topic` from its beginning without joining any group or
// committing anything: for looking into dead-letter topics (operators, tests). Blocking.
std::vector<RawMessage> peek(const KafkaOptions& options, const std::string& topic,
                             std::size_t count, std::chrono::milliseconds timeout);

class Producer {
 public:
  explicit Producer(const KafkaOptions& options);
  ~Producer();  // waits up to 10 s for messages in flight
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Completes once the broker has acknowledged the message; throws KafkaError when it
  // cannot be delivered within the delivery timeout. Safe from any thread.
  Task<void> send(Event event);
  // The same, for a raw message (the dead-letter path).
  Task<void> send_raw(std::string topic, std::string key, std::string value, Headers headers);
  // Waits for everything in flight.
  void flush(std::chrono::milliseconds timeout);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

class Consumer {
 public:
  using Handler = std::function<Task<void>(Event)>;
  // Handles the events one poll brought together (e.g. in one database transaction), in
  // delivery order: all of them, or as many from the front as it chooses (it returns how
  // many took effect; the consumer handles the rest one by one). It throws having changed
  // nothing when one could not be handled: the consumer then handles all of them one by one
  // with the Handler, so that a poison event is dead-lettered alone and the others go
  // through.
  using BatchHandler = std::function<Task<std::size_t>(std::vector<Event>)>;

  // `group` is the consumer group (one per service and purpose). Messages are polled on a
  // thread of the consumer's own and handled on `executor`.
  Consumer(const KafkaOptions& options, std::string group, std::vector<std::string> topics,
           Producer& dead_letters);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // With a `batch` handler, a poll that brought two or more events tries it first.
  void start(boost::asio::any_io_executor executor, Handler handler, BatchHandler batch = {});
  // Finishes the message being handled, commits, leaves the group.
  void stop();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bazaar::events
