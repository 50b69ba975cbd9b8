#pragma once
// The order events this service turns into e-mails, read from their JSON data. Pure: no I/O.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace bazaar::notification {

// Which moment of the order's life a notification tells about; one per order at most.
enum class Kind { created, confirmed, cancelled };

std::string_view to_string(Kind kind);
std::optional<Kind> parse_kind(std::string_view text);
// order.created → created, order.confirmed → confirmed, order.cancelled → cancelled.
std::optional<Kind> kind_of_topic(std::string_view topic);

struct OrderEvent {
  Kind kind = Kind::created;
  std::string order_id;  // UUID
  std::string user_id;   // UUID
  long long total_cents = 0;
  std::string currency;  // ISO 4217, three upper-case letters
  std::string reason;    // order.cancelled only; may be empty
};

// The event's data as an OrderEvent, or why no retry could ever handle it (the consumer then
// dead-letters it). Unknown fields are ignored, so producers may add some.
std::variant<OrderEvent, std::string> parse_order_event(std::string_view topic,
                                                        std::string_view data);

}  // namespace bazaar::notification
