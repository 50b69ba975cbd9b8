#pragma once
// The event envelope every service publishes and consumes: CloudEvents 1.0 in Kafka's binary
// mode (attributes as `ce_*` headers, the data as the message value), W3C `traceparent` in a
// header, the aggregate's id (the order id) as the message key so that one order's events
// stay in order on one partition. Pure: no I/O, unit-tested.
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace bazaar::events {

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Event {
  std::string topic;        // "order.created"
  std::string key;          // the aggregate id, e.g. the order id
  std::string id;           // ce_id: unique per event, the consumers' deduplication key
  std::string type;         // ce_type, e.g. "bazaar.order.created"
  std::string source;       // ce_source, e.g. "/services/order"
  std::string time;         // ce_time, RFC 3339 UTC
  std::string data;         // the JSON object, snake_case fields as in the guide
  std::string traceparent;  // empty when the producer had no trace
};

// A new event with a fresh id, the current time and the topic as its type.
Event make_event(std::string topic, std::string key, std::string source, std::string data,
                 std::string traceparent = {});

// Kafka headers for `e`: ce_id, ce_type, ce_source, ce_time, ce_specversion,
// content-type and, when present, traceparent.
Headers to_headers(const Event& e);

// Reads a consumed message back into an Event, or says why it can never be handled (which
// sends it to the dead-letter topic): missing or unknown CloudEvents attributes, an empty
// key, a value that is not a JSON object.
std::variant<Event, std::string> from_message(std::string topic, std::string key, std::string value,
                                              const Headers& headers);

// "2026-11-21T08:35:03.123Z" for now.
std::string rfc3339_now();

}  // namespace bazaar::events
