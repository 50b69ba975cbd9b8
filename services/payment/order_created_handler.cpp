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

events::Task<events::AfterCommit> handle_order_created(OrderCreatedHandler* handler,
                                                       pg::Transaction* tx, events::Event event) {
  auto parsed = parse_order_created(event.data);
  if (auto* why = std::get_if<std::string>(&parsed))
    throw events::Unprocessable("invalid order.created: " + *why);
  const OrderCreated order = std::get<OrderCreated>(std::move(parsed));
  // The payment's work is a span of the order's trace, and so are the events it publishes.
  const auto trace =
      telemetry::TraceContext::child_of(telemetry::TraceContext::parse(event.traceparent));

  std::string consumer = kConsumer;
  auto arrival =
      co_await PaymentRepository::arrive(tx, std::move(consumer), event.id, order.order_id);
  // Ignored events still commit: the event id stays in the inbox.
  if (!arrival.first || arrival.paid) {
    const char* why = arrival.first ? "already_paid" : "redelivered";
    co_return [why, trace, event_id = event.id, order_id = order.order_id] {
      ignored_counter(why).inc();
      auto ids = trace.ids();
      log::info(std::string_view(why) == "redelivered"
                    ? "order.created seen before; ignored"
                    : "order already has a payment; event ignored",
                {{"event_id", event_id}, {"order_id", order_id}}, &ids);
    };
  }

  // Named, then moved: g++ 12 mishandles a braced temporary passed straight to a coroutine
  // (the parameter's string still pointed into this frame).
  ChargeRequest request{order.order_id, order.total_cents, order.currency};
  auto outcome = co_await handler->provider.charge(std::move(request));
  if (outcome.kind == ChargeOutcome::Kind::unavailable) {
    // The transaction rolls back, the inbox entry too: the redelivery is a first delivery.
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
  auto result =
      row.status == Status::succeeded
          ? events::make_event(kPaymentSucceeded, order.order_id, kSource,
                               payment_succeeded_data(order, row.payment_id), trace.traceparent())
          : events::make_event(kPaymentFailed, order.order_id, kSource,
                               payment_failed_data(order, row.reason), trace.traceparent());
  if (!co_await PaymentRepository::insert(tx, row, std::move(result))) {
    // Another replica recorded this order's payment while we charged (the provider answered
    // us from its ledger): that replica publishes the result.
    co_return [trace, event_id = event.id, order_id = order.order_id] {
      ignored_counter("already_paid").inc();
      auto ids = trace.ids();
      log::info("order got a payment concurrently; event ignored",
                {{"event_id", event_id}, {"order_id", order_id}}, &ids);
    };
  }
  co_return [trace, row] {
    payments_counter(row.status).inc();
    auto ids = trace.ids();
    if (row.status == Status::succeeded) {
      log::info("payment succeeded",
                {{"order_id", row.order_id},
                 {"payment_id", row.payment_id},
                 {"amount_cents", row.amount_cents},
                 {"currency", row.currency}},
                &ids);
    } else {
      log::info("payment failed",
                {{"order_id", row.order_id},
                 {"payment_id", row.payment_id},
                 {"amount_cents", row.amount_cents},
                 {"currency", row.currency},
                 {"reason", row.reason}},
                &ids);
    }
  };
}

}  // namespace bazaar::payment
