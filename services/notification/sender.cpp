#include "services/notification/sender.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <ctime>
#include <deque>
#include <future>
#include <memory>
#include <random>
#include <vector>

#include "chassis/core/log.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::notification {
namespace asio = boost::asio;
using telemetry::TraceContext;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

telemetry::Counter& counter(const char* name, const char* help) {
  return telemetry::default_registry().counter(name, help);
}
}  // namespace

struct Sender::State {
  State(asio::any_io_executor ex, NotificationRepository& r, UserDirectory& u, SmtpMailer& m,
        SenderOptions o)
      : executor(ex),
        repo(r),
        users(u),
        mailer(m),
        options(std::move(o)),
        timer(ex),
        sent(counter("notifications_sent_total", "E-mails delivered to the SMTP server")),
        failed(counter("notifications_failed_total",
                       "Notifications given up (unknown user, refused, too many attempts)")),
        retried(counter("notifications_retried_total",
                        "Failed delivery attempts that were scheduled to be tried again")) {}

  asio::any_io_executor executor;
  NotificationRepository& repo;
  UserDirectory& users;
  SmtpMailer& mailer;
  SenderOptions options;
  asio::steady_timer timer;
  bool woken = false;  // touched on the executor's thread only
  // Handed over by take(), not claimed from the table; on the executor's thread only.
  std::deque<DueNotification> handed;
  std::size_t reserved = 0;  // handlers that may take() one more
  bool claim_turn = false;   // handed and claimed batches take turns when both have work
  std::atomic<bool> started{false};
  std::atomic<bool> stopping{false};
  std::promise<void> stopped;
  std::mt19937_64 random{std::random_device{}()};
  telemetry::Counter& sent;
  telemetry::Counter& failed;
  telemetry::Counter& retried;
};

namespace {
using StatePtr = std::shared_ptr<Sender::State>;

// What one attempt came to, before it is recorded.
struct Attempt {
  std::string error;  // empty: delivered
  bool permanent = false;
};

// Looks the address up and hands the message to the SMTP server.
asio::awaitable<Attempt> attempt_delivery(StatePtr st, DueNotification n, TraceContext trace) {
  Attempt a;
  try {
    std::string to = co_await st->users.email_of(n.user_id, &trace);
    if (!is_plain_address(to)) {
      a.error = "user " + n.user_id + " has no usable e-mail address";
      a.permanent = true;
      co_return a;
    }
    MailMessage message;
    message.from = st->options.from;
    message.to = to;
    message.subject = std::move(n.subject);
    message.body = std::move(n.body);
    // The notification's id: a message that was sent again (we crashed before recording that
    // it went out) carries the same Message-ID, so mail clients show it once.
    message.message_id = n.id + "@" + std::string(domain_of(st->options.from.address));
    message.date = std::time(nullptr);
    OutgoingMail mail;
    mail.envelope_from = st->options.from.address;
    mail.recipient = std::move(to);
    mail.message = render(message);
    co_await st->mailer.send(std::move(mail));
  } catch (const UserNotFound& e) {
    a.error = e.what();
    a.permanent = true;
  } catch (const SmtpError& e) {
    a.error = e.what();
    a.permanent = e.permanent;
  } catch (const std::exception& e) {
    a.error = e.what();
  }
  co_return a;
}

// An e-mail that went out, waiting for its batch's one SENT statement.
struct Delivered {
  std::string id;
  std::string order_id;
  std::string kind;
  int attempts = 0;
  TraceContext trace;  // owns the ids a log line's TraceIds point into
};
using DeliveredList = std::shared_ptr<std::vector<Delivered>>;

// One attempt; a success is added to `delivered` (recorded by the batch), a failure is
// recorded here.
asio::awaitable<void> deliver(StatePtr st, DueNotification n, DeliveredList delivered) {
  auto trace = TraceContext::child_of(TraceContext::parse(n.traceparent));
  auto ids = trace.ids();
  std::string id = n.id;
  std::string order_id = n.order_id;
  std::string kind = n.kind;
  int attempts = n.attempts + 1;
  Attempt a = co_await attempt_delivery(st, std::move(n), trace);
  if (a.error.empty()) {
    delivered->push_back({std::move(id), std::move(order_id), std::move(kind), attempts, trace});
    co_return;
  }
  try {
    if (a.permanent || should_give_up(attempts, st->options.max_attempts)) {
      co_await st->repo.mark_failed(id, a.error);
      st->failed.inc();
      log::warn("notification failed",
                {{"notification_id", id},
                 {"order_id", order_id},
                 {"kind", kind},
                 {"attempts", attempts},
                 {"error", a.error}},
                &ids);
    } else {
      std::uniform_real_distribution<double> uniform(0.0, 1.0);
      auto delay = retry_delay(st->options.backoff, attempts, uniform(st->random));
      co_await st->repo.schedule_retry(id, a.error, delay);
      st->retried.inc();
      log::warn("notification not delivered; will retry",
                {{"notification_id", id},
                 {"order_id", order_id},
                 {"kind", kind},
                 {"attempts", attempts},
                 {"retry_in_ms", delay.count()},
                 {"error", a.error}},
                &ids);
    }
  } catch (const std::exception& e) {
    // The claim's lease runs out and the notification comes due again.
    log::warn("notification outcome not recorded", {{"notification_id", id}, {"error", e.what()}},
              &ids);
  }
}

// Records the batch's delivered e-mails as SENT in one statement (one commit for the batch
// rather than one per e-mail). Not recorded (the database is away), they come due again when
// their lease runs out and go out once more, with the same Message-ID.
asio::awaitable<void> record_sent(StatePtr st, DeliveredList delivered) {
  if (delivered->empty()) co_return;
  std::vector<std::string> sent_ids;
  sent_ids.reserve(delivered->size());
  for (const auto& d : *delivered) sent_ids.push_back(d.id);
  std::string failure;
  try {
    co_await st->repo.mark_sent(std::move(sent_ids));
  } catch (const std::exception& e) {
    failure = e.what();
  }
  for (const auto& d : *delivered) {
    auto ids = d.trace.ids();
    if (!failure.empty()) {
      log::warn("notification outcome not recorded",
                {{"notification_id", d.id}, {"error", failure}}, &ids);
      continue;
    }
    st->sent.inc();
    log::info("notification sent",
              {{"notification_id", d.id},
               {"order_id", d.order_id},
               {"kind", d.kind},
               {"attempts", d.attempts}},
              &ids);
  }
}

// Delivers one claimed batch, all at once, and returns how many were claimed.
asio::awaitable<std::size_t> deliver_batch(StatePtr st) {
  std::vector<DueNotification> due;
  st->claim_turn = !st->claim_turn || st->handed.empty();
  if (st->claim_turn) {
    due = co_await st->repo.claim_due(st->options.batch, st->options.lease);
  } else {
    while (!st->handed.empty() && due.size() < static_cast<std::size_t>(st->options.batch)) {
      due.push_back(std::move(st->handed.front()));
      st->handed.pop_front();
    }
  }
  if (due.empty()) co_return 0;
  struct Pending {
    std::size_t left;
    asio::steady_timer all_done;
  };
  auto pending = std::make_shared<Pending>(
      Pending{due.size(), asio::steady_timer(st->executor, asio::steady_timer::time_point::max())});
  auto delivered = std::make_shared<std::vector<Delivered>>();
  for (auto& n : due) {
    asio::co_spawn(st->executor, deliver(st, std::move(n), delivered),
                   [pending](std::exception_ptr) {
                     if (--pending->left == 0) pending->all_done.cancel();
                   });
  }
  if (pending->left > 0) co_await pending->all_done.async_wait(nothrow);
  co_await record_sent(st, delivered);
  co_return due.size();
}

asio::awaitable<void> run(StatePtr st) {
  while (!st->stopping.load()) {
    std::size_t claimed = 0;
    bool claimed_ok = true;
    try {
      claimed = co_await deliver_batch(st);
    } catch (const std::exception& e) {
      claimed_ok = false;
      log::warn("sender cannot claim notifications", {{"error", e.what()}});
    }
    // A full batch: more may be due right now. Handed-over ones wait for the next batch.
    if (claimed_ok &&
        (claimed == static_cast<std::size_t>(st->options.batch) || !st->handed.empty()))
      continue;
    bool woken = std::exchange(st->woken, false);
    if (claimed_ok && woken) continue;
    st->timer.expires_after(st->options.poll_interval);
    co_await st->timer.async_wait(nothrow);
  }
  // Stopping (the consumer has stopped): what was handed over goes out now rather than
  // after its lease, when the next sender would find it.
  while (!st->handed.empty()) {
    std::string failure;
    try {
      st->claim_turn = true;  // the next batch is a handed one
      co_await deliver_batch(st);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      log::warn("sender stopping: handed notifications left to their lease",
                {{"error", failure}, {"left", static_cast<long long>(st->handed.size())}});
      break;
    }
  }
}
}  // namespace

Sender::Sender(asio::any_io_executor executor, NotificationRepository& repo, UserDirectory& users,
               SmtpMailer& mailer, SenderOptions options)
    : state_(
          std::make_shared<State>(std::move(executor), repo, users, mailer, std::move(options))) {}

Sender::~Sender() = default;

void Sender::start() {
  if (state_->started.exchange(true)) return;
  StatePtr st = state_;
  asio::co_spawn(st->executor, run(st), [st](std::exception_ptr e) {
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        log::error("sender stopped by an error", {{"error", ex.what()}});
      }
    }
    st->stopped.set_value();
  });
}

bool Sender::reserve() {
  auto& st = *state_;
  if (st.stopping.load() ||
      st.handed.size() + st.reserved >= static_cast<std::size_t>(st.options.batch))
    return false;
  ++st.reserved;
  return true;
}

std::chrono::milliseconds Sender::lease() const { return state_->options.lease; }

void Sender::take(DueNotification n) {
  release();
  state_->handed.push_back(std::move(n));
  state_->woken = true;
  state_->timer.cancel();
}

void Sender::release() {
  if (state_->reserved > 0) --state_->reserved;
}

void Sender::wake() {
  StatePtr st = state_;
  asio::post(st->executor, [st] {
    st->woken = true;
    st->timer.cancel();
  });
}

void Sender::stop() {
  if (!state_->started.load() || state_->stopping.exchange(true)) return;
  wake();
  state_->stopped.get_future().wait();
}

}  // namespace bazaar::notification
