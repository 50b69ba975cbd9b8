#pragma once
// Consumes order.created: one payment per order, charged at most once, its result published
// as payment.succeeded or payment.failed through the outbox.
#include "chassis/core/errors.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/events/transactional.hpp"
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

// One event, inside `tx` (the consumer's: the event's own, or its poll's; it commits):
//   1. inbox: an event id seen before → nothing else;
//   2. the order has a payment already (another event for the same order) → nothing else;
//   3. charge the provider with the order id as idempotency key; `unavailable` → throw
//      ProviderUnavailable (the transaction rolls back, the consumer retries);
//   4. insert the payment (SUCCEEDED or FAILED with the reason) and add the result event to
//      the outbox.
// Returns the log lines and counters for after the commit. Data that is not a valid
// order.created throws events::Unprocessable (→ order.created.dlq).
events::Task<events::AfterCommit> handle_order_created(OrderCreatedHandler* handler,
                                                       pg::Transaction* tx, events::Event event);

}  // namespace bazaar::payment
