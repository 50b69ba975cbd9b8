#pragma once
// The HTTP surface of notification-service: what was sent to a user, and the contract itself.
#include "chassis/http/router.hpp"
#include "services/notification/notification_repository.hpp"

namespace bazaar::notification {

// GET /notifications?user_id=…[&order_id=…], GET /openapi.yaml.
void add_notification_routes(http::Router& router, NotificationRepository& repo);

}  // namespace bazaar::notification
