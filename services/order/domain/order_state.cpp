#include "services/order/domain/order_state.hpp"

namespace bazaar::order {

std::string_view to_string(PaymentOutcome o) {
  return o == PaymentOutcome::succeeded ? "payment.succeeded" : "payment.failed";
}

std::optional<PaymentOutcome> payment_outcome_of(std::string_view topic) {
  if (topic == "payment.succeeded") return PaymentOutcome::succeeded;
  if (topic == "payment.failed") return PaymentOutcome::failed;
  return std::nullopt;
}

std::optional<OrderStatus> next_status(OrderStatus from, PaymentOutcome event) {
  // The whole table: one row per legal transition.
  struct Transition {
    OrderStatus from;
    PaymentOutcome event;
    OrderStatus to;
  };
  static constexpr Transition kTransitions[] = {
      {OrderStatus::pending_payment, PaymentOutcome::succeeded, OrderStatus::confirmed},
      {OrderStatus::pending_payment, PaymentOutcome::failed, OrderStatus::cancelled},
  };
  for (const auto& t : kTransitions)
    if (t.from == from && t.event == event) return t.to;
  return std::nullopt;
}

bool is_terminal(OrderStatus s) {
  return s == OrderStatus::confirmed || s == OrderStatus::cancelled;
}

std::string_view topic_for(OrderStatus s) {
  switch (s) {
    case OrderStatus::pending_payment:
      return "order.created";
    case OrderStatus::confirmed:
      return "order.confirmed";
    case OrderStatus::cancelled:
      return "order.cancelled";
  }
  return "";
}

}  // namespace bazaar::order
