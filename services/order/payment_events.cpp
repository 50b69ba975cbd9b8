#include "services/order/payment_events.hpp"

#include "chassis/core/log.hpp"
#include "chassis/events/outbox.hpp"
#include "chassis/telemetry/trace.hpp"
#include "services/order/domain/order_state.hpp"

namespace bazaar::order {

events::Task<events::AfterCommit> handle_payment_event(pg::Transaction* tx, events::Event e) {
  auto outcome = payment_outcome_of(e.topic);
  if (!outcome) throw events::Unprocessable("order-service does not handle " + e.topic);
  auto parsed = parse_payment_event(e.data);
  if (auto* why = std::get_if<std::string>(&parsed)) throw events::Unprocessable(*why);
  auto payment = std::get<PaymentEvent>(std::move(parsed));

  auto trace = telemetry::TraceContext::parse(e.traceparent).value_or(telemetry::TraceContext{});

  auto arrival = co_await OrderRepository::arrive(tx, kConsumerGroup, e.id, payment.order_id);
  // The transaction rolls back, the inbox entry too: the event is dead-lettered, not
  // swallowed. (A redelivery always finds its order: the first delivery committed only with
  // one.)
  if (!arrival.order) throw events::Unprocessable("no such order: " + payment.order_id);
  if (!arrival.first) {
    co_return [trace, event_id = e.id, order_id = payment.order_id] {
      auto ids = trace.ids();
      log::info("payment event already handled", {{"event_id", event_id}, {"order_id", order_id}},
                trace.trace_id.empty() ? nullptr : &ids);
    };
  }
  auto order = std::move(arrival.order);

  auto next = next_status(order->status, *outcome);
  if (!next) {
    // Committed with the inbox entry: the refusal is final, a redelivery is not re-judged.
    co_return
        [trace, order_id = order->id, from = order->status, topic = e.topic, event_id = e.id] {
          auto ids = trace.ids();
          log::warn("illegal order transition refused",
                    {{"order_id", order_id},
                     {"from", to_string(from)},
                     {"event", topic},
                     {"event_id", event_id}},
                    trace.trace_id.empty() ? nullptr : &ids);
        };
  }

  std::optional<std::string> reason;
  if (*next == OrderStatus::cancelled) reason = payment.reason.value_or("payment failed");
  auto announced = events::make_event(std::string(topic_for(*next)), order->id, kEventSource,
                                      order_event_data(order->facts(), reason), e.traceparent);
  co_await OrderRepository::set_status(tx, order->id, *next, std::move(announced));
  co_return [trace, order_id = order->id, from = order->status, to = *next, topic = e.topic,
             event_id = e.id] {
    auto ids = trace.ids();
    log::info("order status changed",
              {{"order_id", order_id},
               {"from", to_string(from)},
               {"to", to_string(to)},
               {"event", topic},
               {"event_id", event_id}},
              trace.trace_id.empty() ? nullptr : &ids);
  };
}

}  // namespace bazaar::order
