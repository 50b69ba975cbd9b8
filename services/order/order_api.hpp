#pragma once
// The HTTP surface of order-service: placing orders (with the user checked at user-service
// and Idempotency-Key honoured), reading them, and the contract itself.
#include "chassis/core/runtime.hpp"
#include "chassis/http/router.hpp"
#include "services/order/order_repository.hpp"
#include "services/order/user_check.hpp"

namespace bazaar::order {

struct OrderApi {
  OrderRepository& repo;
  PerWorker<UserCheck>& users;
};

void add_order_routes(http::Router& router, OrderApi& api);

}  // namespace bazaar::order
