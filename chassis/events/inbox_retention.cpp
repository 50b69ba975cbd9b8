#include "chassis/events/inbox_retention.hpp"

#include <atomic>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <future>
#include <string>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::events {
namespace asio = boost::asio;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// The oldest rows first in a heap that only grows at its end: the LIMIT finds them on the first
// pages. Not prepared: a plan made while the inbox was small would keep scanning it whole.
constexpr pg::Statement kPrune{
    nullptr,
    "DELETE FROM inbox WHERE ctid = ANY(ARRAY("
    " SELECT ctid FROM inbox WHERE received_at < now() - $1::bigint * interval '1 millisecond'"
    " LIMIT $2 FOR UPDATE SKIP LOCKED))"};
}  // namespace

InboxRetention inbox_retention_from_env() {
  InboxRetention r;
  r.keep = config::duration("INBOX_RETENTION", r.keep);
  return r;
}

Task<std::size_t> prune_inbox(pg::Pool& pool, std::chrono::milliseconds keep, std::size_t batch) {
  std::size_t total = 0;
  for (;;) {
    pg::Params params{std::to_string(keep.count()), std::to_string(batch)};
    // On a connection of its own (a transaction), not the pipelined one: the handlers'
    // statements would queue behind a delete of thousands of rows.
    auto tx = co_await pool.begin();
    auto r = co_await tx.exec_and_commit(kPrune, std::move(params));
    const auto n = static_cast<std::size_t>(r.affected_rows());
    total += n;
    if (n < batch) co_return total;
  }
}

struct InboxPruner::State {
  State(asio::any_io_executor e, pg::Pool& p, InboxRetention r)
      : executor(std::move(e)),
        pool(p),
        retention(r),
        timer(executor),
        pruned(telemetry::default_registry().counter(
            "inbox_pruned_total", "Inbox rows deleted after the retention (INBOX_RETENTION)")) {}
  asio::any_io_executor executor;
  pg::Pool& pool;
  InboxRetention retention;
  asio::steady_timer timer;
  telemetry::Counter& pruned;
  std::atomic<bool> stopping{false};
  bool started = false;
  std::promise<void> stopped;
};

namespace {
using StatePtr = std::shared_ptr<InboxPruner::State>;

Task<void> run_pruner(StatePtr st) {
  while (!st->stopping.load()) {
    std::string failure;
    try {
      auto n = co_await prune_inbox(st->pool, st->retention.keep, st->retention.batch);
      st->pruned.inc(static_cast<double>(n));
      if (n > 0) log::info("inbox pruned", {{"rows", static_cast<long long>(n)}});
    } catch (const std::exception& e) {
      failure = e.what();
    }
    // The next pass comes at the next interval anyway: a database that is away now is no
    // reason to try sooner.
    if (!failure.empty()) log::warn("inbox pruning failed", {{"error", failure}});
    if (st->stopping.load()) break;
    st->timer.expires_after(st->retention.every);
    co_await st->timer.async_wait(nothrow);
  }
}
}  // namespace

InboxPruner::InboxPruner(asio::any_io_executor executor, pg::Pool& pool, InboxRetention retention)
    : state_(std::make_shared<State>(std::move(executor), pool, retention)) {}

InboxPruner::~InboxPruner() = default;

void InboxPruner::start() {
  auto st = state_;
  st->started = true;
  asio::co_spawn(st->executor, run_pruner(st),
                 [st](std::exception_ptr) { st->stopped.set_value(); });
}

void InboxPruner::stop() {
  auto st = state_;
  if (!st->started || st->stopping.exchange(true)) return;
  asio::post(st->executor, [st] { st->timer.cancel(); });
  st->stopped.get_future().wait();
}

}  // namespace bazaar::events
