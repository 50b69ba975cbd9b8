#pragma once
// Consumes order.created: one payment per order, charged at most once, its result published
// as payment.succeeded or payment.failed through the outbox.
#include "chassis/core/errors.hpp"
#include "chassis/events/kafka.hpp"
#include "services/payment/domain/provider.hpp"
#include "services/payment/payment_repository.hpp"

namespace bazaar::payment {

// The provider answered `unavailable`: transient, so the consumer retries with backoff.
struct ProviderUnavailable : Failure {
  using Failure::Failure;
  bool transient() const override { return true; }
};

struct OrderCreatedHandler {
  PaymentRepository& repo;
  PaymentProvider& provider;
};

// One event, in one transaction on the calling worker's pool:
//   1. inbox: an event id seen before → commit (nothing else) and return;
//   2. the order has a payment already (another event for the same order) → commit, return;
//   3. charge the provider with the order id as idempotency key; `unavailable` → throw
//      ProviderUnavailable (the transaction rolls back, the consumer retries);
//   4. insert the payment (SUCCEEDED or FAILED with the reason) and add the result event to
//      the outbox; commit.
// Data that is not a valid order.created throws events::Unprocessable (→ order.created.dlq).
events::Task<void> handle_order_created(OrderCreatedHandler* handler, events::Event event);

}  // namespace bazaar::payment
