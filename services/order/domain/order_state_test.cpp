#include "services/order/domain/order_state.hpp"

#include <gtest/gtest.h>

using namespace bazaar::order;

namespace {
constexpr OrderStatus kAll[] = {OrderStatus::pending_payment, OrderStatus::confirmed,
                                OrderStatus::cancelled};
constexpr PaymentOutcome kEvents[] = {PaymentOutcome::succeeded, PaymentOutcome::failed};
}  // namespace

TEST(OrderStateMachine, APendingOrderIsConfirmedWhenPaymentSucceeds) {
  EXPECT_EQ(next_status(OrderStatus::pending_payment, PaymentOutcome::succeeded),
            OrderStatus::confirmed);
}

TEST(OrderStateMachine, APendingOrderIsCancelledWhenPaymentFails) {
  EXPECT_EQ(next_status(OrderStatus::pending_payment, PaymentOutcome::failed),
            OrderStatus::cancelled);
}

TEST(OrderStateMachine, TerminalStatesRefuseEveryEvent) {
  for (auto from : {OrderStatus::confirmed, OrderStatus::cancelled}) {
    EXPECT_TRUE(is_terminal(from));
    for (auto event : kEvents)
      EXPECT_EQ(next_status(from, event), std::nullopt)
          << to_string(from) << " on " << to_string(event);
  }
  EXPECT_FALSE(is_terminal(OrderStatus::pending_payment));
}

TEST(OrderStateMachine, ExactlyTwoTransitionsAreLegal) {
  int legal = 0;
  for (auto from : kAll)
    for (auto event : kEvents)
      if (next_status(from, event)) ++legal;
  EXPECT_EQ(legal, 2);
}

TEST(OrderStateMachine, PaymentTopicsMapToOutcomes) {
  EXPECT_EQ(payment_outcome_of("payment.succeeded"), PaymentOutcome::succeeded);
  EXPECT_EQ(payment_outcome_of("payment.failed"), PaymentOutcome::failed);
  EXPECT_EQ(payment_outcome_of("payment.succeeded.dlq"), std::nullopt);
  EXPECT_EQ(to_string(PaymentOutcome::succeeded), "payment.succeeded");
  EXPECT_EQ(to_string(PaymentOutcome::failed), "payment.failed");
}

TEST(OrderStateMachine, EachStateIsAnnouncedOnItsOwnTopic) {
  EXPECT_EQ(topic_for(OrderStatus::pending_payment), "order.created");
  EXPECT_EQ(topic_for(OrderStatus::confirmed), "order.confirmed");
  EXPECT_EQ(topic_for(OrderStatus::cancelled), "order.cancelled");
}
