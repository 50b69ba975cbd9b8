#pragma once
// The notifications table: written by the event handler inside the event's transaction, worked
// off by the sender, read by the API. Every call runs on the calling worker's own pool.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "chassis/core/runtime.hpp"
#include "chassis/pg/pool.hpp"
#include "services/notification/domain/order_event.hpp"

namespace bazaar::notification {

struct NewNotification {
  std::string id;
  std::string event_id;
  std::string order_id;
  std::string user_id;
  Kind kind = Kind::created;
  std::string subject;
  std::string body;
  std::string traceparent;  // empty when the event had none
};

// A pending notification the sender has claimed.
struct DueNotification {
  std::string id;
  std::string order_id;
  std::string user_id;
  std::string kind;
  std::string subject;
  std::string body;
  std::string traceparent;
  int attempts = 0;  // made before this one
};

struct NotificationView {
  std::string id;
  std::string order_id;
  std::string user_id;
  std::string kind;
  std::string status;  // PENDING, SENT, FAILED
  int attempts = 0;
  std::optional<std::string> last_error;
  std::string created_at;  // RFC 3339, UTC
  std::optional<std::string> sent_at;
};

class NotificationRepository {
 public:
  explicit NotificationRepository(PerWorker<pg::Pool>& pools) : pools_(pools) {}

  // Records that `consumer` has seen the event n.event_id (the inbox) and adds the pending
  // notification, in one transaction (one statement). False, with nothing written, for a
  // redelivered event; false, with the event recorded, when the order already has a
  // notification of this kind (the same news published twice). The notification comes due
  // after `claimed_for`: zero for the sender to claim it, or a lease when it is handed to this
  // process's sender at once (Sender::take), as claim_due would have.
  pg::Task<bool> record(NewNotification n, std::string consumer,
                        std::chrono::milliseconds claimed_for);

  // Claims up to `limit` pending notifications that are due, the longest waiting first, by
  // moving their next attempt `lease` ahead: another sender (a replica) skips them, and if this
  // process dies mid-delivery they come due again once the lease has passed.
  pg::Task<std::vector<DueNotification>> claim_due(int limit, std::chrono::milliseconds lease);

  // The outcome of the attempt that claim_due (or record) handed out; each counts that attempt.
  pg::Task<void> mark_sent(std::vector<std::string> ids);  // one statement for them all
  pg::Task<void> schedule_retry(std::string id, std::string error, std::chrono::milliseconds delay);
  pg::Task<void> mark_failed(std::string id, std::string error);

  // A user's notifications, newest first, at most `limit`; only those of one order when
  // `order_id` is not empty.
  pg::Task<std::vector<NotificationView>> list(std::string user_id, std::string order_id,
                                               int limit);

 private:
  PerWorker<pg::Pool>& pools_;
};

}  // namespace bazaar::notification
