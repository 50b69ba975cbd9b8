#pragma once
// Delivers pending notifications: claims those that are due (oldest first), looks up each
// user's address, sends the e-mail, and records the outcome: SENT; or a retry after a backoff
// (SMTP or user-service away); or FAILED (unknown user, refused for good, too many attempts).
// Each notification has its own outcome, so one that cannot go out never holds up the others.
// Runs as one coroutine on the executor it is given; woken when new notifications are
// committed, and polling as a fallback.
#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "services/notification/domain/backoff.hpp"
#include "services/notification/domain/mail_message.hpp"
#include "services/notification/notification_repository.hpp"
#include "services/notification/smtp_mailer.hpp"
#include "services/notification/user_directory.hpp"

namespace bazaar::notification {

struct SenderOptions {
  Mailbox from;           // NOTIFY_FROM
  int max_attempts = 20;  // NOTIFY_MAX_ATTEMPTS
  Backoff backoff;
  std::chrono::milliseconds poll_interval{1'000};
  int batch = 16;
  // How long a claimed notification stays invisible to other claims; longer than the slowest
  // batch can take (user lookups and SMTP timeouts), so nothing is sent twice while in flight.
  std::chrono::milliseconds lease{120'000};
};

class Sender {
 public:
  // `repo`, `users` and `mailer` must be used from `executor`'s thread only, which is where the
  // sender runs.
  Sender(boost::asio::any_io_executor executor, NotificationRepository& repo, UserDirectory& users,
         SmtpMailer& mailer, SenderOptions options);
  ~Sender();
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;

  void start();
  // New notifications were committed: look now rather than at the next poll. Any thread.
  void wake();
  // Handing a notification over at once (take) saves claiming it from the table, an update
  // of its row. All on the executor's thread only. reserve(): whether the sender takes one
  // more now (at most a batch waits, reservations included, so that the lease covers its
  // wait); then either take() it, recorded with next_attempt_at lease() ahead (as if
  // claimed; should this process die first, it comes due when the lease has passed), or
  // release() the reservation when nothing was recorded.
  bool reserve();
  std::chrono::milliseconds lease() const;
  void take(DueNotification n);
  void release();
  // Lets the deliveries in flight finish, then stops. Blocks: call it from outside the
  // executor's thread while the executor still runs.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace bazaar::notification
