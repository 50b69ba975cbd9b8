#pragma once
// The JSON data of the events order-service publishes and consumes, in the guide's
// snake_case: order.* {order_id, user_id, total_cents, currency, reason?} out, payment.*
// {order_id, …, reason?} in. Pure: the envelope is chassis/events' business.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace bazaar::order {

// ce_source of every event order-service publishes.
inline constexpr const char* kEventSource = "/services/order";

struct OrderFacts {
  std::string order_id;
  std::string user_id;
  long long total_cents = 0;
  std::string currency;
};

// `reason` is only set for order.cancelled.
std::string order_event_data(const OrderFacts& order,
                             const std::optional<std::string>& reason = std::nullopt);

struct PaymentEvent {
  std::string order_id;  // lower-case UUID
  std::optional<std::string> reason;
};

// The payment event's data, or why no retry could ever handle it (it goes to the DLQ).
std::variant<PaymentEvent, std::string> parse_payment_event(std::string_view data);

}  // namespace bazaar::order
