#include "services/order/domain/order.hpp"

#include "chassis/core/text.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "chassis/core/ids.hpp"

namespace bazaar::order {
namespace json = boost::json;

namespace {
using text::has_control;
using text::utf8_length;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

void reject_unknown(const json::object& o, std::initializer_list<std::string_view> known,
                    const std::string& prefix, FieldErrors& errors) {
  for (const auto& kv : o)
    if (std::find(known.begin(), known.end(), kv.key()) == known.end())
      errors.push_back({prefix + std::string(kv.key()), "is not a known field"});
}

// A JSON integer within [min, max]; 2.0 and 1e3 are numbers but not integers.
std::optional<long long> read_integer(const json::object& o, std::string_view key,
                                      const std::string& field, long long min, long long max,
                                      FieldErrors& errors) {
  auto range = "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
  auto it = o.find(key);
  if (it == o.end()) {
    errors.push_back({field, "is required"});
    return std::nullopt;
  }
  const auto& v = it->value();
  if (v.is_int64() && v.get_int64() >= min && v.get_int64() <= max) return v.get_int64();
  errors.push_back({field, range});
  return std::nullopt;
}

std::optional<std::string> read_string(const json::object& o, std::string_view key,
                                       const std::string& field, FieldErrors& errors) {
  auto it = o.find(key);
  if (it == o.end()) {
    errors.push_back({field, "is required"});
    return std::nullopt;
  }
  if (!it->value().is_string()) {
    errors.push_back({field, "must be a string"});
    return std::nullopt;
  }
  return std::string(it->value().get_string());
}

std::optional<LineItem> read_item(const json::value& v, std::size_t index, FieldErrors& errors) {
  std::string prefix = "items[" + std::to_string(index) + "]";
  if (!v.is_object()) {
    errors.push_back({prefix, "must be an object with sku, quantity and unit_price_cents"});
    return std::nullopt;
  }
  const auto& o = v.get_object();
  std::size_t before = errors.size();
  reject_unknown(o, {"sku", "quantity", "unit_price_cents"}, prefix + ".", errors);
  LineItem item;
  if (auto sku = read_string(o, "sku", prefix + ".sku", errors)) {
    auto n = utf8_length(*sku);
    if (n == 0 || n > kMaxSkuChars)
      errors.push_back(
          {prefix + ".sku", "must be 1 to " + std::to_string(kMaxSkuChars) + " characters"});
    else if (has_control(*sku))
      errors.push_back({prefix + ".sku", "must not contain control characters"});
    item.sku = std::move(*sku);
  }
  if (auto q = read_integer(o, "quantity", prefix + ".quantity", 1, kMaxQuantity, errors))
    item.quantity = *q;
  if (auto p = read_integer(o, "unit_price_cents", prefix + ".unit_price_cents", 0,
                            kMaxUnitPriceCents, errors))
    item.unit_price_cents = *p;
  if (errors.size() != before) return std::nullopt;
  return item;
}

std::string sha256_hex(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &length, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xF];
  }
  return out;
}
}  // namespace

std::string_view to_string(OrderStatus s) {
  switch (s) {
    case OrderStatus::pending_payment:
      return "PENDING_PAYMENT";
    case OrderStatus::confirmed:
      return "CONFIRMED";
    case OrderStatus::cancelled:
      return "CANCELLED";
  }
  return "UNKNOWN";
}

std::optional<OrderStatus> parse_status(std::string_view t) {
  for (auto s : {OrderStatus::pending_payment, OrderStatus::confirmed, OrderStatus::cancelled})
    if (to_string(s) == t) return s;
  return std::nullopt;
}

std::optional<long long> order_total(const std::vector<LineItem>& items) {
  long long total = 0;
  for (const auto& item : items) {
    long long line = 0;
    if (item.quantity < 0 || item.unit_price_cents < 0) return std::nullopt;
    if (__builtin_mul_overflow(item.quantity, item.unit_price_cents, &line)) return std::nullopt;
    if (__builtin_add_overflow(total, line, &total)) return std::nullopt;
  }
  return total;
}

std::variant<NewOrder, FieldErrors> validate_new_order(const json::object& o) {
  FieldErrors errors;
  reject_unknown(o, {"user_id", "items", "currency"}, "", errors);
  NewOrder order;

  if (auto id = read_string(o, "user_id", "user_id", errors)) {
    if (ids::is_uuid(*id))
      order.user_id = lower(std::move(*id));
    else
      errors.push_back({"user_id", "must be a UUID"});
  }

  auto items = o.find("items");
  if (items == o.end()) {
    errors.push_back({"items", "is required"});
  } else if (!items->value().is_array()) {
    errors.push_back({"items", "must be an array of line items"});
  } else {
    const auto& list = items->value().get_array();
    if (list.empty() || list.size() > kMaxItems) {
      errors.push_back({"items", "must hold 1 to " + std::to_string(kMaxItems) + " line items"});
    } else {
      for (std::size_t i = 0; i < list.size(); ++i)
        if (auto item = read_item(list[i], i, errors)) order.items.push_back(std::move(*item));
    }
  }

  if (auto currency = read_string(o, "currency", "currency", errors)) {
    bool ok = currency->size() == 3 && std::all_of(currency->begin(), currency->end(),
                                                   [](char c) { return c >= 'A' && c <= 'Z'; });
    if (ok)
      order.currency = std::move(*currency);
    else
      errors.push_back({"currency", "must be three upper-case letters (ISO 4217), e.g. EUR"});
  }

  if (errors.empty()) {
    auto total = order_total(order.items);
    if (!total)
      errors.push_back({"items", "the order total does not fit in 63 bits"});
    else
      order.total_cents = *total;
  }
  if (!errors.empty()) return errors;
  return order;
}

std::string check_idempotency_key(std::string_view key) {
  if (key.empty() || key.size() > kMaxIdempotencyKeyLength ||
      !std::all_of(key.begin(), key.end(), [](char c) { return c >= 0x21 && c <= 0x7E; }))
    return "must be 1 to " + std::to_string(kMaxIdempotencyKeyLength) + " visible ASCII characters";
  return {};
}

std::string request_fingerprint(const NewOrder& order) {
  // Serialised from the validated fields in a fixed order: the JSON text as sent (spacing,
  // key order, a UUID's case) does not matter, only what was asked for.
  json::array items;
  for (const auto& i : order.items)
    items.push_back(json::array{json::string(i.sku), i.quantity, i.unit_price_cents});
  json::array canonical{json::string(order.user_id), std::move(items),
                        json::string(order.currency)};
  return sha256_hex(json::serialize(canonical));
}

}  // namespace bazaar::order
