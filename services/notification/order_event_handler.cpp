#include "services/notification/order_event_handler.hpp"

#include "chassis/core/ids.hpp"
#include "chassis/core/log.hpp"
#include "services/notification/domain/content.hpp"

namespace bazaar::notification {
namespace {
telemetry::Counter& events_counter(const char* outcome) {
  return telemetry::default_registry().counter(
      "notification_events_total", "Order events consumed, by outcome (queued, duplicate, invalid)",
      {{"outcome", outcome}});
}
}  // namespace

OrderEventHandler::OrderEventHandler(PerWorker<pg::Pool>& pools, Sender& sender)
    : pools_(pools),
      sender_(sender),
      queued_(events_counter("queued")),
      duplicate_(events_counter("duplicate")),
      invalid_(events_counter("invalid")) {}

events::Task<void> OrderEventHandler::handle(events::Event event) {
  auto trace = telemetry::TraceContext::child_of(telemetry::TraceContext::parse(event.traceparent));
  auto ids = trace.ids();
  auto parsed = parse_order_event(event.topic, event.data);
  if (auto* why = std::get_if<std::string>(&parsed)) {
    invalid_.inc();
    throw events::Unprocessable(*why);
  }
  const auto& order = std::get<OrderEvent>(parsed);
  Content content = compose(order);
  NewNotification n;
  n.id = ids::uuid_v4();
  n.event_id = event.id;
  n.order_id = order.order_id;
  n.user_id = order.user_id;
  n.kind = order.kind;
  n.subject = std::move(content.subject);
  n.body = std::move(content.body);
  // The handler's span: delivery becomes its child, in the order's trace when the event had one.
  n.traceparent = trace.traceparent();
  std::string notification_id = n.id;
  // Handed straight to the sender when it has room: recorded as already claimed, which saves
  // the claim's update of the row.
  bool hand_over = sender_.reserve();
  DueNotification due;
  if (hand_over) {
    due.id = n.id;
    due.order_id = n.order_id;
    due.user_id = n.user_id;
    due.kind = std::string(to_string(n.kind));
    due.subject = n.subject;
    due.body = n.body;
    due.traceparent = n.traceparent;
  }

  NotificationRepository repo(pools_);
  bool inserted = false;
  try {
    inserted = co_await repo.record(std::move(n), kConsumerGroup,
                                    hand_over ? sender_.lease() : std::chrono::milliseconds(0));
  } catch (...) {
    if (hand_over) sender_.release();
    throw;
  }

  if (!inserted) {
    if (hand_over) sender_.release();
    duplicate_.inc();
    log::info("order event already handled",
              {{"event_id", event.id}, {"topic", event.topic}, {"order_id", order.order_id}}, &ids);
    co_return;
  }
  queued_.inc();
  log::info("notification queued",
            {{"notification_id", notification_id},
             {"event_id", event.id},
             {"order_id", order.order_id},
             {"kind", to_string(order.kind)}},
            &ids);
  if (hand_over)
    sender_.take(std::move(due));
  else
    sender_.wake();
}

}  // namespace bazaar::notification
