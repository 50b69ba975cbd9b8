#pragma once
// Consumer handlers that do their work inside a database transaction they are handed. The
// consumer then either gives each event a transaction of its own or, for a poll that brought
// several, gives them one together: one commit, and so one WAL flush, for many events instead
// of one each. The inbox (first_delivery) still gives each event at most one effect. When one
// event of a batch fails, the batch's transaction rolls back and the consumer handles its
// events one by one (Consumer::BatchHandler), so a poison event is dead-lettered alone.
//
// A batch is handled in waves of up to 16 events from the front, side by side within a
// wave (a key's events one after another, in order), as the consumer handles events one by
// one: the handlers share the transaction, which sends their statements in turn, while what
// they await outside it overlaps (payment-service's provider calls, whose auto-commit ledger
// rows then share a pipeline batch and a commit). A batch takes no more waves after a slow
// one (a payment provider that answers in 300 ms: the batch commits after that wave) and
// once it has been open for its budget. The bounds are on waves and on the whole rather
// than a tighter time per batch: on a saturated machine every round trip waits for a core,
// fast handlers take tens of milliseconds each, and that is when one commit for many
// events saves the most.
#include <chrono>
#include <functional>
#include <memory>

#include "chassis/events/kafka.hpp"
#include "chassis/pg/pool.hpp"

namespace bazaar::events {

// What to do once the transaction has committed (log lines, counters): nothing of it may
// happen for a batch that rolls back and is handled again.
using AfterCommit = std::function<void()>;

// Handles `event` inside `tx` without committing it; throws as a Consumer::Handler does
// (Unprocessable: dead-letter it; anything else: retry later). `tx` must be left usable
// unless it throws.
using TransactionalHandler = std::function<Task<AfterCommit>(pg::Transaction* tx, Event event)>;

struct BatchLimits {
  // A wave that took this long to handle ends its batch (which commits with it).
  std::chrono::milliseconds slow_event{100};
  // A batch transaction takes no more waves once it has been open this long.
  std::chrono::milliseconds budget{1'000};
  // Events of a wave, handled side by side (different keys) in the batch's transaction.
  std::size_t side_by_side = 16;
};

struct ConsumerHandlers {
  Consumer::Handler one;
  Consumer::BatchHandler batch;
};

// The two handlers of Consumer::start for `handler`, with transactions on `pool` (the pool of
// the consumer's executor's worker; it must outlive the consumer).
ConsumerHandlers in_transactions(pg::Pool& pool, TransactionalHandler handler,
                                 BatchLimits limits = {});

}  // namespace bazaar::events
