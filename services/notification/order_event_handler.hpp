#pragma once
// Turns order.created / order.confirmed / order.cancelled into pending notifications. Each
// event is handled in one transaction with the inbox, so a redelivered event adds nothing;
// data no retry can fix is refused as events::Unprocessable (the consumer dead-letters it).
#include "chassis/core/runtime.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/pg/pool.hpp"
#include "chassis/telemetry/metrics.hpp"
#include "services/notification/sender.hpp"

namespace bazaar::notification {

// The consumer group, and the name under which the inbox records what it has seen.
inline constexpr const char* kConsumerGroup = "notification-service";

class OrderEventHandler {
 public:
  OrderEventHandler(PerWorker<pg::Pool>& pools, Sender& sender);

  events::Task<void> handle(events::Event event);

 private:
  PerWorker<pg::Pool>& pools_;
  Sender& sender_;
  telemetry::Counter& queued_;
  telemetry::Counter& duplicate_;
  telemetry::Counter& invalid_;
};

}  // namespace bazaar::notification
