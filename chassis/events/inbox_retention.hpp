#pragma once
// The inbox keeps a row per consumed event so that a redelivery has no second effect. Kafka
// cannot redeliver an event older than its topic's retention, so after that the row guards
// nothing; without pruning the table and its random-keyed index grow with every event, forever.
#include <chrono>
#include <cstddef>
#include <memory>

#include "chassis/events/kafka.hpp"
#include "chassis/pg/pool.hpp"

namespace bazaar::events {

struct InboxRetention {
  // Must exceed the consumed topics' retention (Kafka's default: 7 days) plus the longest a
  // consumer may lag: an event redelivered after its row is gone would count as a new one.
  std::chrono::milliseconds keep = std::chrono::hours(24 * 14);
  std::chrono::milliseconds every = std::chrono::hours(1);
  std::size_t batch = 10'000;  // rows per statement: short transactions, short locks
};

// The defaults with `keep` from INBOX_RETENTION (a duration such as 336h), as every consuming
// service reads it; a malformed value throws config::ConfigError naming the variable.
InboxRetention inbox_retention_from_env();

// Deletes the inbox rows received more than `keep` ago, `batch` per statement, and returns
// how many went. Rows another replica is deleting at the same moment are skipped, not awaited.
Task<std::size_t> prune_inbox(pg::Pool& pool, std::chrono::milliseconds keep, std::size_t batch);

// Runs prune_inbox on `executor` at start and then every `every`, until stop(). Each replica
// may run one.
class InboxPruner {
 public:
  InboxPruner(boost::asio::any_io_executor executor, pg::Pool& pool, InboxRetention retention);
  ~InboxPruner();
  void start();
  // Blocks until the pruner has stopped; call it from outside the executor's thread, while
  // the executor still runs.
  void stop();

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace bazaar::events
