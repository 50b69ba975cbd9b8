#include "services/payment/domain/payment.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "chassis/core/ids.hpp"

namespace bazaar::payment {
namespace json = boost::json;

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Empty when field `name` is a UUID (copied lower-case into `out`), otherwise why not.
std::string take_uuid(const json::object& o, std::string_view name, std::string& out) {
  const json::value* v = o.if_contains(name);
  if (v == nullptr) return std::string(name) + " is missing";
  if (!v->is_string()) return std::string(name) + " must be a string";
  if (!ids::is_uuid(v->as_string())) return std::string(name) + " must be a UUID";
  out = lower(v->as_string());
  return {};
}

json::object base(const OrderCreated& order) {
  return {{"order_id", order.order_id},
          {"user_id", order.user_id},
          {"total_cents", order.total_cents},
          {"currency", order.currency}};
}
}  // namespace

bool is_currency_code(std::string_view text) {
  if (text.size() != 3) return false;
  for (char c : text)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

std::variant<OrderCreated, std::string> parse_order_created(std::string_view data) {
  json::error_code ec;
  json::value v = json::parse(data, ec);
  if (ec) return "the data is not JSON: " + ec.message();
  if (!v.is_object()) return std::string("the data is not a JSON object");
  const json::object& o = v.as_object();
  OrderCreated order;
  if (auto why = take_uuid(o, "order_id", order.order_id); !why.empty()) return why;
  if (auto why = take_uuid(o, "user_id", order.user_id); !why.empty()) return why;
  const json::value* total = o.if_contains("total_cents");
  if (total == nullptr) return std::string("total_cents is missing");
  // Money is integer minor units: 12.5 or 1200.0 is a producer bug, not an amount.
  if (!total->is_int64()) return std::string("total_cents must be an integer");
  order.total_cents = total->as_int64();
  if (order.total_cents <= 0) return std::string("total_cents must be greater than 0");
  const json::value* currency = o.if_contains("currency");
  if (currency == nullptr) return std::string("currency is missing");
  if (!currency->is_string()) return std::string("currency must be a string");
  if (!is_currency_code(currency->as_string()))
    return std::string("currency must be an ISO 4217 code of three upper-case letters");
  order.currency = std::string(currency->as_string());
  return order;
}

std::string_view to_string(Status status) {
  return status == Status::succeeded ? "SUCCEEDED" : "FAILED";
}

std::optional<Status> parse_status(std::string_view text) {
  if (text == "SUCCEEDED") return Status::succeeded;
  if (text == "FAILED") return Status::failed;
  return std::nullopt;
}

std::string payment_succeeded_data(const OrderCreated& order, std::string_view payment_id) {
  json::object o = base(order);
  o["payment_id"] = payment_id;
  return json::serialize(o);
}

std::string payment_failed_data(const OrderCreated& order, std::string_view reason) {
  json::object o = base(order);
  o["reason"] = reason;
  return json::serialize(o);
}

}  // namespace bazaar::payment
