#include "services/order/domain/order_events.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cctype>

#include "chassis/core/ids.hpp"

namespace bazaar::order {
namespace json = boost::json;

std::string order_event_data(const OrderFacts& o, const std::optional<std::string>& reason) {
  json::object data{{"order_id", o.order_id},
                    {"user_id", o.user_id},
                    {"total_cents", o.total_cents},
                    {"currency", o.currency}};
  if (reason) data["reason"] = *reason;
  return json::serialize(data);
}

std::variant<PaymentEvent, std::string> parse_payment_event(std::string_view data) {
  json::error_code ec;
  auto v = json::parse(data, ec);
  if (ec) return "data is not JSON: " + ec.message();
  if (!v.is_object()) return std::string("data is not a JSON object");
  const auto& o = v.get_object();
  auto id = o.find("order_id");
  if (id == o.end() || !id->value().is_string()) return std::string("order_id is missing");
  std::string order_id(id->value().get_string());
  if (!ids::is_uuid(order_id)) return "order_id is not a UUID: " + order_id;
  for (auto& c : order_id) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  PaymentEvent e{std::move(order_id), std::nullopt};
  if (auto r = o.find("reason"); r != o.end() && r->value().is_string())
    e.reason = std::string(r->value().get_string());
  return e;
}

}  // namespace bazaar::order
