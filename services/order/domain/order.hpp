#pragma once
// The order bounded context's rules, free of I/O: what a valid order request is, how its
// total is computed, and what makes an Idempotency-Key and a request fingerprint. Every rule
// a client can break comes back as a FieldError naming the field.
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>
#include "chassis/core/field_error.hpp"

namespace bazaar::order {

enum class OrderStatus { pending_payment, confirmed, cancelled };
std::string_view to_string(OrderStatus status);  // "PENDING_PAYMENT", …
std::optional<OrderStatus> parse_status(std::string_view text);
// Every order starts here; a POST with a known Idempotency-Key answers with this state.
inline constexpr OrderStatus kInitialStatus = OrderStatus::pending_payment;

using bazaar::FieldError;
using bazaar::FieldErrors;

struct LineItem {
  std::string sku;
  long long quantity = 0;
  long long unit_price_cents = 0;
};

struct NewOrder {
  std::string user_id;  // lower-case UUID
  std::vector<LineItem> items;
  std::string currency;  // ISO 4217 style: three upper-case letters
  long long total_cents = 0;
};

inline constexpr std::size_t kMaxItems = 100;
inline constexpr std::size_t kMaxSkuChars = 64;
inline constexpr long long kMaxQuantity = 10'000;
inline constexpr long long kMaxUnitPriceCents = 1'000'000'000;
inline constexpr std::size_t kMaxIdempotencyKeyLength = 200;

// `body` is the parsed request object; unknown fields are errors too (a typo must not be
// silently ignored). Fields of items are named "items[2].sku".
std::variant<NewOrder, FieldErrors> validate_new_order(const boost::json::object& body);

// The sum of quantity × unit price, or nullopt when it (or a product) does not fit in a
// signed 64-bit integer, i.e. in 63 bits of magnitude.
std::optional<long long> order_total(const std::vector<LineItem>& items);

// Empty when `key` is a valid Idempotency-Key (1..200 visible ASCII characters), else why not.
std::string check_idempotency_key(std::string_view key);

// SHA-256 (hex) of the order's canonical form: two requests mean the same order exactly
// when their fingerprints are equal, whatever their JSON spacing or key order.
std::string request_fingerprint(const NewOrder& order);

}  // namespace bazaar::order
