#pragma once
// payment-service's HTTP API: GET /payments/{order_id} and GET /openapi.yaml.
#include "chassis/http/router.hpp"
#include "services/payment/payment_repository.hpp"

namespace bazaar::payment {

void add_payment_routes(http::Router& router, PaymentRepository& repo);

}  // namespace bazaar::payment
