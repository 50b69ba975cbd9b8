#include "services/payment/order_created_handler.hpp"

#include "chassis/core/ids.hpp"
#include "chassis/core/log.hpp"
#include "chassis/events/outbox.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "chassis/telemetry/trace.hpp"

namespace bazaar::payment {
namespace {
telemetry::Counter& payments_counter(Status status) {
  return telemetry::default_registry().counter("payments_total", "Payments recorded, by status",
                                               {{"status", std::string(to_string(status))}});
}

telemetry::Counter& ignored_counter(std::string_view why) {
  return telemetry::default_registry().counter(
      "payment_events_ignored_total",
      "order.created events that changed nothing: redelivered, or for an order already paid",
      {{"reason", std::string(why)}});
}
}  // namespace

events::Task<void> handle_order_created(OrderCreatedHandler* handler, events::Event event) {
  auto parsed = parse_order_created(event.data);
  if (auto* why = std::get_if<std::string>(&parsed))
    throw events::Unprocessable("invalid order.created: " + *why);
  const OrderCreated order = std::get<OrderCreated>(std::move(parsed));
  // The payment's work is a span of the order's trace, and so are the events it publishes.
  const auto trace =
      telemetry::TraceContext::child_of(telemetry::TraceContext::parse(event.traceparent));
  const auto trace_ids = trace.ids();

  auto tx = co_await handler->repo.pools().local().begin();
  std::string consumer = kConsumer;
  auto arrival =
      co_await PaymentRepository::arrive(&tx, std::move(consumer), event.id, order.order_id);
  if (!arrival.first) {
    co_await tx.commit();
    ignored_counter("redelivered").inc();
    log::info("order.created seen before; ignored",
              {{"event_id", event.id}, {"order_id", order.order_id}}, &trace_ids);
    co_return;
  }
  if (arrival.paid) {
    co_await tx.commit();  // keeps the event id in the inbox
    ignored_counter("already_paid").inc();
    log::info("order already has a payment; event ignored",
              {{"event_id", event.id}, {"order_id", order.order_id}}, &trace_ids);
    co_return;
  }

  // Named, then moved: g++ 12 mishandles a braced temporary passed straight to a coroutine
  // (the parameter's string still pointed into this frame).
  ChargeRequest request{order.order_id, order.total_cents, order.currency};
  auto outcome = co_await handler->provider.charge(std::move(request));
  if (outcome.kind == ChargeOutcome::Kind::unavailable) {
    // Dropping `tx` rolls back the inbox entry too: the redelivery is a first delivery.
    throw ProviderUnavailable("payment provider unavailable for order " + order.order_id + ": " +
                              outcome.reason);
  }

  PaymentRow row;
  row.order_id = order.order_id;
  row.payment_id = ids::uuid_v4();
  row.user_id = order.user_id;
  row.amount_cents = order.total_cents;
  row.currency = order.currency;
  row.status = outcome.kind == ChargeOutcome::Kind::approved ? Status::succeeded : Status::failed;
  row.reason = outcome.reason;
  if (!co_await PaymentRepository::insert(&tx, row)) {
    // Another replica recorded this order's payment while we charged (the provider answered
    // us from its ledger): that replica publishes the result.
    co_await tx.commit();
    ignored_counter("already_paid").inc();
    log::info("order got a payment concurrently; event ignored",
              {{"event_id", event.id}, {"order_id", order.order_id}}, &trace_ids);
    co_return;
  }
  auto result =
      row.status == Status::succeeded
          ? events::make_event(kPaymentSucceeded, order.order_id, kSource,
                               payment_succeeded_data(order, row.payment_id), trace.traceparent())
          : events::make_event(kPaymentFailed, order.order_id, kSource,
                               payment_failed_data(order, row.reason), trace.traceparent());
  co_await events::add_to_outbox(&tx, result);
  co_await tx.commit();
  payments_counter(row.status).inc();
  if (row.status == Status::succeeded) {
    log::info("payment succeeded",
              {{"order_id", row.order_id},
               {"payment_id", row.payment_id},
               {"amount_cents", row.amount_cents},
               {"currency", row.currency}},
              &trace_ids);
  } else {
    log::info("payment failed",
              {{"order_id", row.order_id},
               {"payment_id", row.payment_id},
               {"amount_cents", row.amount_cents},
               {"currency", row.currency},
               {"reason", row.reason}},
              &trace_ids);
  }
}

}  // namespace bazaar::payment
