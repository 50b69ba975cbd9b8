#pragma once
// The payment bounded context's rules, free of I/O: what a valid order.created event is, the
// states a payment can end in, and the data of the events this service publishes.
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace bazaar::payment {

// The consumer name of this service in the inbox and its Kafka consumer group.
inline constexpr const char* kConsumer = "payment-service";
inline constexpr const char* kSource = "/services/payment";
inline constexpr const char* kOrderCreated = "order.created";
inline constexpr const char* kPaymentSucceeded = "payment.succeeded";
inline constexpr const char* kPaymentFailed = "payment.failed";

// order.created as the guide defines it: {order_id, user_id, total_cents, currency}.
struct OrderCreated {
  std::string order_id;  // UUID, lower case
  std::string user_id;   // UUID, lower case
  long long total_cents = 0;
  std::string currency;  // ISO 4217 alphabetic code
};

// The event's data parsed and checked, or why no retry can ever handle it: not a JSON object,
// a field of the guide missing or of another type, ids that are not UUIDs, total_cents not a
// positive integer, a currency that is not three upper-case letters. Fields beyond the guide's
// are ignored (a newer producer may add some).
std::variant<OrderCreated, std::string> parse_order_created(std::string_view data);

// Three upper-case ASCII letters, the form of an ISO 4217 alphabetic code.
bool is_currency_code(std::string_view text);

enum class Status { succeeded, failed };
std::string_view to_string(Status status);  // "SUCCEEDED", "FAILED"
std::optional<Status> parse_status(std::string_view text);

// The data of payment.succeeded: {order_id, user_id, total_cents, currency, payment_id}.
std::string payment_succeeded_data(const OrderCreated& order, std::string_view payment_id);
// The data of payment.failed: {order_id, user_id, total_cents, currency, reason}.
std::string payment_failed_data(const OrderCreated& order, std::string_view reason);

}  // namespace bazaar::payment
