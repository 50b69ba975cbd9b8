#include "services/notification/notification_api.hpp"

#include <boost/json/array.hpp>

#include "chassis/core/ids.hpp"
#include "chassis/http/operational.hpp"
#include "services/notification/openapi.hpp"

namespace bazaar::notification {
namespace json = boost::json;
using http::problem;
using http::Request;
using http::Response;
using http::Task;

namespace {
// The newest ones; a user's history beyond that is not what this endpoint is for.
constexpr int kMaxItems = 100;

json::value optional_string(const std::optional<std::string>& s) {
  return s ? json::value(*s) : json::value(nullptr);
}

json::object notification_json(const NotificationView& n) {
  return {{"id", n.id},
          {"order_id", n.order_id},
          {"user_id", n.user_id},
          {"kind", n.kind},
          {"status", n.status},
          {"attempts", n.attempts},
          {"last_error", optional_string(n.last_error)},
          {"created_at", n.created_at},
          {"sent_at", optional_string(n.sent_at)}};
}

Task<Response> list_notifications(NotificationRepository* repo, Request req) {
  auto user_id = req.query_param("user_id");
  if (!user_id) co_return problem(400, "the query parameter user_id is required");
  if (!ids::is_uuid(*user_id)) co_return problem(400, "user_id must be a UUID");
  std::string order_id = req.query_param("order_id").value_or("");
  if (!order_id.empty() && !ids::is_uuid(order_id))
    co_return problem(400, "order_id must be a UUID");
  auto rows = co_await repo->list(std::move(*user_id), std::move(order_id), kMaxItems);
  json::array items;
  for (const auto& n : rows) items.push_back(notification_json(n));
  json::object body{{"items", std::move(items)}};
  co_return Response::json(200, body);
}

}  // namespace

void add_notification_routes(http::Router& router, NotificationRepository& repo) {
  NotificationRepository* p = &repo;
  router.add("GET", "/notifications",
             [p](Request r) { return list_notifications(p, std::move(r)); });
  http::add_openapi_route(router, openapi_yaml());
}

}  // namespace bazaar::notification
