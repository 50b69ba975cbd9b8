#include "services/payment/payment_api.hpp"

#include <boost/json/object.hpp>

#include "chassis/core/ids.hpp"
#include "chassis/http/operational.hpp"
#include "services/payment/openapi.hpp"

namespace bazaar::payment {
namespace json = boost::json;
using http::problem;
using http::Request;
using http::Response;
using http::Task;

namespace {
json::object payment_json(const PaymentRow& p) {
  json::object o{{"order_id", p.order_id},
                 {"payment_id", p.payment_id},
                 {"status", to_string(p.status)},
                 {"amount_cents", p.amount_cents},
                 {"currency", p.currency}};
  if (p.status == Status::failed) o["reason"] = p.reason;
  return o;
}

Task<Response> get_payment(PaymentRepository* repo, Request req) {
  auto order_id = std::string(req.param("order_id"));
  if (!ids::is_uuid(order_id)) co_return problem(400, "the order id must be a UUID");
  auto p = co_await repo->find(order_id);
  if (!p) co_return problem(404, "no payment for order " + order_id);
  co_return Response::json(200, payment_json(*p));
}

}  // namespace

void add_payment_routes(http::Router& router, PaymentRepository& repo) {
  PaymentRepository* p = &repo;
  router.add("GET", "/payments/{order_id}",
             [p](Request r) { return get_payment(p, std::move(r)); });
  http::add_openapi_route(router, openapi_yaml());
}

}  // namespace bazaar::payment
