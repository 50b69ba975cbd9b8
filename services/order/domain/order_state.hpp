#pragma once
// The order's life cycle as an explicit state machine, driven by payment events:
//
//   PENDING_PAYMENT --payment.succeeded--> CONFIRMED
//   PENDING_PAYMENT --payment.failed-----> CANCELLED
//
// Every other (state, event) pair is illegal: the order stays as it is. CONFIRMED and
// CANCELLED are terminal.
#include <optional>
#include <string_view>

#include "services/order/domain/order.hpp"

namespace bazaar::order {

enum class PaymentOutcome { succeeded, failed };
std::string_view to_string(PaymentOutcome outcome);  // the event's topic: "payment.succeeded"
std::optional<PaymentOutcome> payment_outcome_of(std::string_view topic);

// The state `from` moves to on `event`, or nullopt when the transition is illegal.
std::optional<OrderStatus> next_status(OrderStatus from, PaymentOutcome event);

bool is_terminal(OrderStatus status);

// The topic announcing that an order entered `status`: order.confirmed, order.cancelled
// (order.created for the initial state).
std::string_view topic_for(OrderStatus status);

}  // namespace bazaar::order
