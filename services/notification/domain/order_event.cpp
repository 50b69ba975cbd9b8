#include "services/notification/domain/order_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include "chassis/core/ids.hpp"

namespace bazaar::notification {
namespace json = boost::json;

std::string_view to_string(Kind kind) {
  switch (kind) {
    case Kind::created:
      return "created";
    case Kind::confirmed:
      return "confirmed";
    case Kind::cancelled:
      return "cancelled";
  }
  return "created";
}

std::optional<Kind> parse_kind(std::string_view text) {
  for (Kind k : {Kind::created, Kind::confirmed, Kind::cancelled})
    if (to_string(k) == text) return k;
  return std::nullopt;
}

std::optional<Kind> kind_of_topic(std::string_view topic) {
  constexpr std::string_view prefix = "order.";
  if (topic.substr(0, prefix.size()) != prefix) return std::nullopt;
  return parse_kind(topic.substr(prefix.size()));
}

namespace {
bool is_currency(std::string_view c) {
  if (c.size() != 3) return false;
  for (char ch : c)
    if (ch < 'A' || ch > 'Z') return false;
  return true;
}

// The string member `name`, or nullptr when it is missing or not a string.
const json::string* string_member(const json::object& o, std::string_view name) {
  const json::value* v = o.if_contains(name);
  return v != nullptr ? v->if_string() : nullptr;
}
}  // namespace

std::variant<OrderEvent, std::string> parse_order_event(std::string_view topic,
                                                        std::string_view data) {
  auto kind = kind_of_topic(topic);
  if (!kind) return "not an order event topic: " + std::string(topic);
  json::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec) return "the data is not JSON: " + ec.message();
  const json::object* o = v.if_object();
  if (o == nullptr) return std::string("the data is not a JSON object");

  OrderEvent e;
  e.kind = *kind;
  for (auto [name, out] :
       {std::pair<const char*, std::string*>{"order_id", &e.order_id}, {"user_id", &e.user_id}}) {
    const json::string* s = string_member(*o, name);
    if (s == nullptr) return std::string(name) + " is missing or not a string";
    if (!ids::is_uuid(*s)) return std::string(name) + " is not a UUID";
    *out = std::string(*s);
  }

  const json::value* total = o->if_contains("total_cents");
  if (total == nullptr) return std::string("total_cents is missing");
  if (total->is_int64()) {
    e.total_cents = total->get_int64();
  } else if (total->is_uint64()) {
    return std::string("total_cents is too large");
  } else {
    return std::string("total_cents is not an integer");
  }
  if (e.total_cents < 0) return std::string("total_cents is negative");

  const json::string* currency = string_member(*o, "currency");
  if (currency == nullptr) return std::string("currency is missing or not a string");
  if (!is_currency(*currency)) return std::string("currency is not an ISO 4217 code");
  e.currency = std::string(*currency);

  if (e.kind == Kind::cancelled) {
    // The reason makes the e-mail useful, but its absence is no reason to lose the e-mail.
    if (const json::value* r = o->if_contains("reason"); r != nullptr && !r->is_null()) {
      if (!r->is_string()) return std::string("reason is not a string");
      e.reason = std::string(r->get_string());
    }
  }
  return e;
}

}  // namespace bazaar::notification
