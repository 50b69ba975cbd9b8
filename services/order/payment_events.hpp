#pragma once
// payment.succeeded / payment.failed → the order's state machine, inside the consumer's
// transaction (the event's own, or its poll's): inbox (a redelivery changes nothing), the
// transition (an illegal one is refused and logged), and the order.confirmed /
// order.cancelled event through the outbox.
#include "chassis/events/kafka.hpp"
#include "chassis/events/transactional.hpp"
#include "services/order/order_repository.hpp"

namespace bazaar::order {

inline constexpr const char* kConsumerGroup = "order-service";

// The consumer's handler (events::in_transactions). Throws events::Unprocessable for an event
// that names no valid order (it goes to <topic>.dlq); other exceptions mean "retry later".
// Returns the log line for after the commit.
events::Task<events::AfterCommit> handle_payment_event(pg::Transaction* tx, events::Event event);

}  // namespace bazaar::order
