#pragma once
// payment.succeeded / payment.failed → the order's state machine, one transaction per event:
// inbox (a redelivery changes nothing), the transition (an illegal one is refused and
// logged), and the order.confirmed / order.cancelled event through the outbox.
#include "chassis/events/kafka.hpp"
#include "services/order/order_repository.hpp"

namespace bazaar::order {

inline constexpr const char* kConsumerGroup = "order-service";

// The consumer's handler. Throws events::Unprocessable for an event that names no valid
// order (it goes to <topic>.dlq); other exceptions mean "retry later".
events::Task<void> handle_payment_event(OrderRepository* repo, events::Event event);

}  // namespace bazaar::order
