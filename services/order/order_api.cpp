#include "services/order/order_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "chassis/core/ids.hpp"
#include "chassis/core/log.hpp"
#include "chassis/http/json_body.hpp"
#include "chassis/http/operational.hpp"
#include "chassis/http/paging.hpp"
#include "services/order/domain/order_state.hpp"
#include "services/order/openapi.hpp"

namespace bazaar::order {
namespace json = boost::json;
using http::field_errors;
using http::json_body;
using http::problem;
using http::Request;
using http::Response;
using http::Task;

namespace {
constexpr std::string_view kIdempotencyKey = "Idempotency-Key";

json::object order_json(const OrderRow& o) {
  json::array items;
  for (const auto& i : o.items)
    items.push_back(json::object{
        {"sku", i.sku}, {"quantity", i.quantity}, {"unit_price_cents", i.unit_price_cents}});
  return {{"id", o.id},
          {"user_id", o.user_id},
          {"items", std::move(items)},
          {"total_cents", o.total_cents},
          {"currency", o.currency},
          {"status", to_string(o.status)},
          {"created_at", o.created_at}};
}

Response created(const OrderRow& order, bool replayed) {
  Response r = Response::json(201, order_json(order));
  r.headers.emplace_back("Location", "/orders/" + order.id);
  // The answer to the request that first used the key, sent again (as Stripe does).
  if (replayed) r.headers.emplace_back("Idempotent-Replayed", "true");
  return r;
}

Response key_reused() {
  return problem(422,
                 "this Idempotency-Key was already used with a different request body; use a new "
                 "key for a different order",
                 {{"errors", json::array{json::object{
                                 {"field", kIdempotencyKey},
                                 {"reason", "was already used with a different request body"}}}}});
}

Response user_service_unavailable(const UserCheckResult& r) {
  Response out = problem(503, "user-service unavailable");
  out.headers.emplace_back("Retry-After", std::to_string(r.retry_after.count()));
  return out;
}

// The answer for a request whose key another request already used: that request's order
// as it was created, or 422 when the bodies differ.
Task<Response> replay(OrderApi* api, KeyRecord stored, std::string request_hash) {
  if (stored.request_hash != request_hash) co_return key_reused();
  auto order = co_await api->repo.find(stored.order_id);
  if (!order) throw std::runtime_error("idempotency key names a missing order " + stored.order_id);
  order->status = kInitialStatus;
  co_return created(*order, true);
}

Task<Response> create_order(OrderApi* api, Request req) {
  auto body = json_body(req);
  if (auto* r = std::get_if<Response>(&body)) co_return std::move(*r);
  std::optional<std::string> key;
  if (auto k = req.header(kIdempotencyKey); !k.empty()) {
    if (auto why = check_idempotency_key(k); !why.empty())
      co_return problem(400, "Idempotency-Key " + why);
    key = std::string(k);
  }
  auto valid = validate_new_order(std::get<json::object>(body));
  if (auto* errors = std::get_if<FieldErrors>(&valid)) co_return field_errors(*errors);
  auto& input = std::get<NewOrder>(valid);
  auto hash = request_fingerprint(input);
  auto trace_ids = req.trace_ids();

  // A retry whose first attempt got through is answered without asking user-service again
  // (which may be down by now).
  if (key) {
    if (auto stored = co_await api->repo.find_key(*key))
      co_return co_await replay(api, std::move(*stored), hash);
  }

  auto user = co_await api->users.local().check(input.user_id, &req.trace);
  if (user.lookup == UserLookup::unavailable) {
    log::warn("user check failed", {{"user_id", input.user_id}, {"error", user.detail}},
              &trace_ids);
    co_return user_service_unavailable(user);
  }
  if (user.lookup == UserLookup::missing) {
    FieldErrors unknown{{"user_id", "no such user"}};
    co_return field_errors(unknown);
  }

  OrderRow order;
  order.id = ids::uuid_v4();
  order.user_id = std::move(input.user_id);
  order.status = kInitialStatus;
  order.total_cents = input.total_cents;
  order.currency = std::move(input.currency);
  order.items = std::move(input.items);
  auto event = events::make_event(std::string(topic_for(kInitialStatus)), order.id, kEventSource,
                                  order_event_data(order.facts()), req.trace.traceparent());
  std::optional<KeyRecord> claim;
  if (key) claim = KeyRecord{*key, hash, {}};
  auto result = co_await api->repo.create(std::move(order), std::move(claim), std::move(event));
  if (auto* other = std::get_if<KeyRecord>(&result)) {
    log::info("idempotency key taken by a concurrent request",
              {{"order_id", other->order_id}, {"same_body", other->request_hash == hash}},
              &trace_ids);
    co_return co_await replay(api, std::move(*other), hash);
  }

  auto& stored = std::get<OrderRow>(result);
  log::info("order created",
            {{"order_id", stored.id},
             {"user_id", stored.user_id},
             {"total_cents", stored.total_cents},
             {"currency", stored.currency}},
            &trace_ids);
  co_return created(stored, false);
}

Response bad_id() { return problem(400, "the order id must be a UUID"); }

Task<Response> get_order(OrderApi* api, Request req) {
  auto id = std::string(req.param("id"));
  if (!ids::is_uuid(id)) co_return bad_id();
  auto order = co_await api->repo.find(id);
  if (!order) co_return problem(404, "no order with id " + id);
  co_return Response::json(200, order_json(*order));
}

Task<Response> list_orders(OrderApi* api, Request req) {
  auto user_id = req.query_param("user_id");
  if (!user_id || !ids::is_uuid(*user_id))
    co_return problem(400, "user_id is required and must be a UUID");
  auto asked = http::page_query(req);
  if (auto* r = std::get_if<Response>(&asked)) co_return std::move(*r);
  int limit = std::get<http::PageQuery>(asked).limit;
  std::string cursor = std::get<http::PageQuery>(asked).cursor;
  auto rows = co_await api->repo.list_by_user(*user_id, cursor, limit + 1);
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.pop_back();
  json::array items;
  for (const auto& o : rows) items.push_back(order_json(o));
  json::object page{{"items", std::move(items)}};
  page["next_cursor"] = more ? json::value(rows.back().id) : json::value(nullptr);
  co_return Response::json(200, page);
}

}  // namespace

void add_order_routes(http::Router& router, OrderApi& api) {
  router.add("GET", "/orders", http::bind<list_orders>(api));
  router.add("POST", "/orders", http::bind<create_order>(api));
  router.add("GET", "/orders/{id}", http::bind<get_order>(api));
  http::add_openapi_route(router, openapi_yaml());
}

}  // namespace bazaar::order
