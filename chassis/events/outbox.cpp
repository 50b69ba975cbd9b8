#include "chassis/events/outbox.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json.hpp>
#include <mutex>
#include <unordered_map>

#include "chassis/core/log.hpp"
#include "chassis/pg/listener.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::events {
namespace asio = boost::asio;
namespace json = boost::json;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr const char* kChannel = "bazaar_outbox";

constexpr pg::Statement kAdd{"outbox_add", BAZAAR_OUTBOX_INSERT " VALUES ($1, $2, $3, $4, $5)"};
// Wakes the relay of another replica (the elected one), delivered on commit. Sent once per
// transaction, and only when this process's relay is not the elected one: the NOTIFY of a
// transaction takes a lock that every notifying transaction of the cluster queues for until
// it has committed, so such commits cannot share a WAL flush.
constexpr pg::Statement kNotify{"outbox_notify", "SELECT pg_notify('bazaar_outbox', '')"};
constexpr pg::Statement kClaim{
    "inbox_claim", "INSERT INTO inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"};
// Deletes what the last pass published ($2) and reads the next batch in one statement, one
// round trip and one commit per pass instead of two. The SELECT reads the snapshot from before
// the DELETE, so it leaves those rows out itself.
// Both relay statements go unprepared (no name), planned for each pass against the table as it
// is: a prepared plan made while the outbox was empty scans the whole table, and a backlog
// (Kafka down) would then cost every pass a scan of it until autovacuum's next analyze
// (measured at 200k rows: 190 ms a pass, against 0.3 ms of planning and 0.2 ms; ADR 0013).
constexpr pg::Statement kBatch{
    nullptr,
    "WITH gone AS (DELETE FROM outbox WHERE seq = ANY($2::bigint[]))"
    " SELECT seq, topic, key, payload, headers FROM outbox WHERE seq <> ALL($2::bigint[])"
    " ORDER BY seq LIMIT $1"};
constexpr pg::Statement kDelete{nullptr, "DELETE FROM outbox WHERE seq = ANY($1::bigint[])"};

std::string headers_json(const Headers& h) {
  json::array a;
  for (const auto& [k, v] : h) a.push_back(json::array{json::string(k), json::string(v)});
  return json::serialize(a);
}

Headers headers_from_json(std::string_view text) {
  Headers h;
  json::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_array()) return h;
  for (const auto& pair : v.as_array()) {
    const auto& kv = pair.as_array();
    h.emplace_back(std::string(kv.at(0).as_string()), std::string(kv.at(1).as_string()));
  }
  return h;
}

// 64-bit FNV-1a: the advisory lock key of a service's relay.
long long relay_lock_key(const std::string& service) {
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char c : "outbox-relay:" + service) h = (h ^ c) * 1099511628211ULL;
  return static_cast<long long>(h);
}
}  // namespace

const std::vector<pg::Migration>& schema() {
  static const std::vector<pg::Migration> all{
      {1, "create_outbox",
       "CREATE TABLE outbox ("
       " seq bigserial PRIMARY KEY,"
       " id uuid NOT NULL UNIQUE,"
       " topic text NOT NULL,"
       " key text NOT NULL,"
       " payload text NOT NULL,"
       " headers jsonb NOT NULL,"
       " created_at timestamptz NOT NULL DEFAULT now());"
       // One notification per inserting statement; NOTIFY is delivered on commit.
       "CREATE FUNCTION outbox_notify() RETURNS trigger LANGUAGE plpgsql AS"
       " $$ BEGIN PERFORM pg_notify('bazaar_outbox', ''); RETURN NULL; END $$;"
       "CREATE TRIGGER outbox_notify AFTER INSERT ON outbox"
       " FOR EACH STATEMENT EXECUTE FUNCTION outbox_notify();"},
      {2, "create_inbox",
       "CREATE TABLE inbox ("
       " consumer text NOT NULL,"
       " event_id text NOT NULL,"
       " received_at timestamptz NOT NULL DEFAULT now(),"
       " PRIMARY KEY (consumer, event_id));"},
      // Writers signal the relay themselves (add_to_outbox): in-process when this process
      // relays, with one NOTIFY per transaction otherwise.
      {3, "outbox_notify_from_writers",
       "DROP TRIGGER outbox_notify ON outbox; DROP FUNCTION outbox_notify();"},
  };
  return all;
}

Task<bool> first_delivery(pg::Transaction* tx, std::string consumer, std::string event_id) {
  pg::Params params{std::move(consumer), std::move(event_id)};
  auto r = co_await tx->exec(kClaim, std::move(params));
  co_return r.affected_rows() == 1;
}

struct OutboxRelay::State {
  State(asio::any_io_executor ex, RelayOptions o, pg::Pool& p, Producer& pr)
      : executor(std::move(ex)),
        options(std::move(o)),
        pool(p),
        producer(pr),
        published_total(telemetry::default_registry().counter("outbox_events_published_total",
                                                              "Events the outbox relay published",
                                                              {{"service", options.service}})) {}

  asio::any_io_executor executor;
  RelayOptions options;
  pg::Pool& pool;
  Producer& producer;
  std::atomic<bool> stopping{false};
  std::atomic<std::uint64_t> published{0};
  // Published rows not deleted yet: the next pass's statement deletes them (on the relay's
  // executor only). Until then they stay in the outbox; should this relay die meanwhile, the
  // next one publishes them again, which consumers' inboxes absorb.
  std::vector<std::string> unpruned;
  std::promise<void> stopped;
  telemetry::Counter& published_total;
  // The relay's LISTEN session while run_relay runs (on the executor only), and whether a
  // wake-up from a writer of this process is on its way to it.
  pg::Listener* listener = nullptr;
  std::atomic<bool> wake_pending{false};
};

namespace {
using StatePtr = std::shared_ptr<OutboxRelay::State>;

// The elected relays running in this process, by the conninfo of their database: a writer
// there wakes its relay directly after commit instead of sending a NOTIFY.
struct LocalLeaders {
  std::mutex mu;
  std::unordered_map<std::string, std::weak_ptr<OutboxRelay::State>> by_conninfo;
};

LocalLeaders& local_leaders() {
  static LocalLeaders leaders;
  return leaders;
}

void elected(const StatePtr& st) {
  auto& l = local_leaders();
  std::lock_guard lock(l.mu);
  l.by_conninfo[st->options.conninfo] = st;
}

void deposed(const StatePtr& st) {
  auto& l = local_leaders();
  std::lock_guard lock(l.mu);
  auto it = l.by_conninfo.find(st->options.conninfo);
  if (it != l.by_conninfo.end() && it->second.lock() == st) l.by_conninfo.erase(it);
}

StatePtr local_leader(const std::string& conninfo) {
  auto& l = local_leaders();
  std::lock_guard lock(l.mu);
  auto it = l.by_conninfo.find(conninfo);
  return it == l.by_conninfo.end() ? nullptr : it->second.lock();
}

// From any thread: the relay's next (or current) wait ends at once. Wake-ups that arrive
// before the relay has taken the last one are one.
void wake(const StatePtr& st) {
  if (st->wake_pending.exchange(true)) return;
  asio::post(st->executor, [st] {
    st->wake_pending = false;
    if (st->listener) st->listener->wake();
  });
}
}  // namespace

pg::Params outbox_values(const Event& e) {
  return {e.id, e.topic, e.key, e.data, headers_json(to_headers(e))};
}

bool relays_in_process(const std::string& conninfo) { return local_leader(conninfo) != nullptr; }

void outbox_written(const std::string& conninfo) {
  if (auto leader = local_leader(conninfo)) wake(leader);
}

void outbox_rows_added(pg::Transaction* tx) {
  // Should this process's relay lose its election before the commit, the new relay finds
  // the rows at its next poll (RelayOptions::poll_interval) rather than at once.
  if (auto leader = local_leader(tx->conninfo()))
    tx->after_commit([leader] { wake(leader); });
  else
    tx->defer_once(kNotify);
}

Task<void> add_to_outbox(pg::Transaction* tx, Event e) {
  // Deferred: the row travels with the transaction's next statement or its COMMIT, without a
  // round trip of its own; if it fails, so does that statement or the commit.
  tx->defer(kAdd, outbox_values(e));
  outbox_rows_added(tx);
  co_return;
}

namespace {
// Sends every row of a batch at once (the idempotent producer keeps per-partition order)
// and returns the seq of those the broker acknowledged.
Task<std::vector<std::string>> publish(StatePtr st, pg::Result rows) {
  struct Outcome {
    std::size_t left = 0;
    std::vector<bool> ok;
    std::unique_ptr<asio::steady_timer> all_done;
  };
  auto out = std::make_shared<Outcome>();
  out->left = static_cast<std::size_t>(rows.rows());
  out->ok.assign(out->left, false);
  out->all_done =
      std::make_unique<asio::steady_timer>(st->executor, asio::steady_timer::time_point::max());
  for (int i = 0; i < rows.rows(); ++i) {
    auto send =
        st->producer.send_raw(std::string(rows.get(i, 1)), std::string(rows.get(i, 2)),
                              std::string(rows.get(i, 3)), headers_from_json(rows.get(i, 4)));
    asio::co_spawn(st->executor, std::move(send), [out, i](std::exception_ptr e) {
      out->ok[static_cast<std::size_t>(i)] = !e;
      if (--out->left == 0) out->all_done->cancel();
    });
  }
  if (out->left > 0) co_await out->all_done->async_wait(nothrow);
  std::vector<std::string> done;
  for (int i = 0; i < rows.rows(); ++i)
    if (out->ok[static_cast<std::size_t>(i)]) done.emplace_back(rows.get(i, 0));
  co_return done;
}

// Publishes everything committed so far; false when Kafka or the database failed. What it
// published is deleted by its next pass (or prune, on the way out).
Task<bool> drain(StatePtr st) {
  for (;;) {
    pg::Params params{std::to_string(st->options.batch), pg::array_literal(st->unpruned)};
    auto rows = co_await st->pool.query(kBatch, std::move(params));
    st->unpruned.clear();
    if (rows.rows() == 0) co_return true;
    auto done = co_await publish(st, rows);
    st->published += done.size();
    st->published_total.inc(static_cast<double>(done.size()));
    st->unpruned = std::move(done);
    if (st->unpruned.size() < static_cast<std::size_t>(rows.rows())) co_return false;
    // A short batch was all there was: what commits later NOTIFYs again, so asking once
    // more would only cost a statement per wake-up.
    if (static_cast<std::size_t>(rows.rows()) < st->options.batch) co_return true;
  }
}

// Deletes what was published and not deleted yet.
Task<void> prune(StatePtr st) {
  if (st->unpruned.empty()) co_return;
  pg::Params params{pg::array_literal(st->unpruned)};
  co_await st->pool.query(kDelete, std::move(params));
  st->unpruned.clear();
}

Task<void> run_relay(StatePtr st) {
  pg::Listener listener(st->executor, st->options.conninfo);
  st->listener = &listener;
  auto backoff = std::chrono::milliseconds(100);
  bool leader = false;
  while (!st->stopping.load()) {
    std::string failure;
    auto pause = st->options.poll_interval;
    try {
      if (!listener.connected()) {
        // The lock went with the session: another replica may be relaying by now.
        if (leader) deposed(st);
        leader = false;
        co_await listener.listen(kChannel);
      }
      if (!leader) {
        leader = co_await listener.try_lock(relay_lock_key(st->options.service));
        if (leader) elected(st);
      }
      bool drained = !leader || co_await drain(st);
      backoff = std::chrono::milliseconds(100);
      // Kafka did not take everything: what is left stays in the outbox for a retry soon.
      if (!drained) pause = backoff;
      if (drained) {
        co_await listener.wait(st->options.poll_interval);
        continue;
      }
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) {
      log::warn("outbox relay: retrying", {{"service", st->options.service}, {"error", failure}});
      pause = backoff;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5'000));
    }
    asio::steady_timer t(st->executor, pause);
    co_await t.async_wait(nothrow);
  }
  // Shutting down: hand over what has committed before leaving, if we are the relay. Writers
  // of this process NOTIFY from now on, for the next relay.
  deposed(st);
  if (leader) {
    std::string failure;
    try {
      co_await drain(st);
      co_await prune(st);
    } catch (const std::exception& e) {
      failure = e.what();
    }
    if (!failure.empty()) log::warn("outbox relay: final drain failed", {{"error", failure}});
  }
  st->listener = nullptr;
}
}  // namespace

OutboxRelay::OutboxRelay(asio::any_io_executor executor, RelayOptions options, pg::Pool& pool,
                         Producer& producer)
    : state_(std::make_shared<State>(std::move(executor), std::move(options), pool, producer)) {}

OutboxRelay::~OutboxRelay() = default;

void OutboxRelay::start() {
  auto st = state_;
  asio::co_spawn(st->executor, run_relay(st),
                 [st](std::exception_ptr) { st->stopped.set_value(); });
}

void OutboxRelay::stop() {
  if (state_->stopping.exchange(true)) return;
  state_->stopped.get_future().wait();
}

std::uint64_t OutboxRelay::published() const { return state_->published.load(); }

}  // namespace bazaar::events
