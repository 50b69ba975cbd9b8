#pragma once
// Transactional outbox and inbox. A service writes its events into its own database in the
// same transaction as the state change (add_to_outbox); the relay publishes them to Kafka
// after commit and only then deletes them, so no event is lost and none is published for a
// change that rolled back. Consumers record each event id in their inbox in the handler's
// transaction (first_delivery), so a redelivered event has no second effect.
#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "chassis/events/kafka.hpp"
#include "chassis/pg/migrations.hpp"
#include "chassis/pg/pool.hpp"

namespace bazaar::events {

// The outbox and inbox tables; apply with
// pg::migrate(url, events::schema(), "<service>.events", wait, "events_schema_migrations").
const std::vector<pg::Migration>& schema();
inline constexpr const char* kSchemaTable = "events_schema_migrations";

// Adds `e` to the outbox inside `tx`: it will be published if and only if `tx` commits. The
// row is written with the transaction's next statement or its commit (Transaction::defer).
Task<void> add_to_outbox(pg::Transaction* tx, Event e);

// For a service statement that writes its change and its event together, in auto-commit
// (one statement is atomic, and on a pipelined connection it shares its commit with the
// other statements of its loop turn): the event's values for
// BAZAAR_OUTBOX_INSERT " VALUES (…)", in that order. Use it
// only while relays_in_process() holds for the database, and call outbox_written() after
// the statement has committed; otherwise use add_to_outbox in a transaction, which also
// NOTIFYs the elected relay elsewhere. In a transaction, a statement of the service's own may
// write the row too (one statement for the change and its event): then call
// outbox_rows_added(tx) for it.
pg::Params outbox_values(const Event& e);
// The outbox's columns as outbox_values fills them, for a service statement's SQL text (a
// macro: statements are compile-time string literals).
#define BAZAAR_OUTBOX_INSERT "INSERT INTO outbox (id, topic, key, payload, headers)"
// After writing outbox rows inside `tx` with a statement of one's own (outbox_values): the
// elected relay is woken once `tx` commits, as add_to_outbox does it.
void outbox_rows_added(pg::Transaction* tx);
// True while this process's relay is the elected one for the database named by `conninfo`.
bool relays_in_process(const std::string& conninfo);
// After a statement that wrote outbox rows (outbox_values) has committed: wakes this
// process's relay. Should it have lost its election meanwhile, the new relay finds the rows
// at its next poll (RelayOptions::poll_interval).
void outbox_written(const std::string& conninfo);

// Inside the handler's transaction: true the first time `consumer` sees `event_id`, false for
// a redelivery (the handler then leaves everything as it is).
Task<bool> first_delivery(pg::Transaction* tx, std::string consumer, std::string event_id);

struct RelayOptions {
  std::string conninfo;
  std::string service;  // one relay per service database is elected among the replicas
  std::chrono::milliseconds poll_interval{1'000};  // fallback when a notification is missed
  std::size_t batch = 500;
};

// Publishes the outbox in commit order (per key), woken by NOTIFY, polling as a fallback.
// Only the replica holding the service's advisory lock relays; the others stand by.
class OutboxRelay {
 public:
  OutboxRelay(boost::asio::any_io_executor executor, RelayOptions options, pg::Pool& pool,
              Producer& producer);
  ~OutboxRelay();
  void start();
  // Publishes what is committed, then stops; blocks until the relay has stopped. Call it
  // from outside the executor's thread, while the executor still runs.
  void stop();
  std::uint64_t published() const;

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace bazaar::events
