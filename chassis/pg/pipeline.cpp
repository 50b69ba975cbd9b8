#include "chassis/pg/pipeline.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <optional>
#include <vector>

#include "chassis/pg/connection.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::pg::detail {
namespace asio = boost::asio;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// One caller's statement.
struct Pending {
  // The signal never expires by itself: arming a kernel timer per statement costs more than
  // the statement. Deadlines are enforced by the sweep.
  explicit Pending(asio::any_io_executor ex) : signal(std::move(ex)) {
    signal.expires_at(asio::steady_timer::time_point::max());
  }
  asio::steady_timer signal;  // cancelled when the answer is complete
  const char* name = nullptr;
  std::string sql;
  Params params;
  std::optional<Result> result;
  std::exception_ptr error;
  Clock::time_point deadline = Clock::time_point::max();
  bool isolated = false;  // runs in a batch of its own (a retry after a failed batch)
  bool done = false;
};

// What the server will answer, in order: a PREPARE or a statement.
struct Entry {
  std::shared_ptr<Pending> pending;
  bool is_prepare = false;
  bool answered = false;  // a result (or an abort notice) arrived; NULL ends it
  bool aborted = false;   // skipped because an earlier statement of its batch failed
  bool failed = false;    // the server refused it
};

// The statements between two Syncs run in one implicit transaction: the server commits
// them at the Sync, and an error rolls back the whole batch, including statements that had
// already answered. So answers are handed out only once the Sync confirms the batch.
struct PipeConn {
  std::unique_ptr<Conn> conn;
  std::deque<Entry> entries;    // sent, answer not complete
  std::vector<Entry> settled;   // answered, waiting for their batch's Sync
  std::size_t statements = 0;   // statements in `entries`
  std::size_t syncs_owed = 0;   // Sync messages sent and not yet answered
  bool sync_scheduled = false;  // a Sync will close this loop turn's batch
  bool reading = false;
};

bool idle(const PipeConn& pc) {
  return pc.entries.empty() && pc.settled.empty() && pc.syncs_owed == 0 && !pc.sync_scheduled;
}

void complete(Pending& p) {
  p.done = true;
  p.signal.cancel();
}
}  // namespace

struct Pipeline::State {
  State(asio::any_io_executor ex, PoolOptions o)
      : executor(ex),
        opt(std::move(o)),
        opened(std::move(ex), asio::steady_timer::time_point::max()),
        connections(telemetry::default_registry().gauge(
            "db_client_connection_count", "Database connections by state",
            {{"pool", opt.name}, {"state", "pipelined"}})),
        in_flight(telemetry::default_registry().gauge(
            "db_client_pipeline_statements_in_flight",
            "Statements sent on pipelined connections and not yet answered",
            {{"pool", opt.name}})) {}

  asio::any_io_executor executor;
  PoolOptions opt;
  std::vector<std::shared_ptr<PipeConn>> conns;
  std::size_t opening = 0;
  asio::steady_timer opened;  // cancelled whenever a connection attempt ends
  bool sweeping = false;
  telemetry::Gauge& connections;
  telemetry::Gauge& in_flight;

  void fail(Entry& e, const std::exception_ptr& why) {
    if (e.is_prepare) return;
    if (!e.pending->error) e.pending->error = why;
    in_flight.dec();
    complete(*e.pending);
  }

  void drop(const std::shared_ptr<PipeConn>& pc, const std::exception_ptr& why) {
    auto it = std::find(conns.begin(), conns.end(), pc);
    if (it != conns.end()) {
      conns.erase(it);
      connections.dec();
    }
    pc->conn->broken = true;
    boost::system::error_code ignored;
    pc->conn->sock.cancel(ignored);  // wakes its reader, which then lets go of it
    for (auto& e : pc->entries) fail(e, why);
    for (auto& e : pc->settled) fail(e, why);
    pc->entries.clear();
    pc->settled.clear();
    pc->statements = 0;
  }
};

namespace {
using StatePtr = std::shared_ptr<Pipeline::State>;
using PipePtr = std::shared_ptr<PipeConn>;

Task<void> read_loop(StatePtr st, PipePtr pc);

Task<void> flush_when_writable(StatePtr st, PipePtr pc) {
  Conn* c = pc->conn.get();
  std::exception_ptr failure;
  try {
    for (;;) {
      int f = PQflush(c->pg);
      if (f == 0) break;
      if (f < 0) throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
      co_await wait_socket(c, asio::posix::descriptor_base::wait_write,
                           Clock::now() + st->opt.query_timeout, "send");
    }
  } catch (...) {
    failure = std::current_exception();
  }
  if (failure) st->drop(pc, failure);
}

// Ends the current batch with a Sync and sends what is buffered.
void close_batch(const StatePtr& st, const PipePtr& pc) {
  Conn* c = pc->conn.get();
  if (c->broken) return;
  if (PQpipelineSync(c->pg) != 1) {
    st->drop(pc, std::make_exception_ptr(PgError(PgError::Kind::unavailable, pq_message(c->pg))));
    return;
  }
  ++pc->syncs_owed;
  int f = PQflush(c->pg);
  if (f < 0) {
    st->drop(pc, std::make_exception_ptr(PgError(PgError::Kind::unavailable, pq_message(c->pg))));
  } else if (f == 1) {
    asio::co_spawn(st->executor, flush_when_writable(st, pc), asio::detached);
  }
}

// The statements of one loop turn share one Sync: one send, one answer packet.
void sync_batch(const StatePtr& st, const PipePtr& pc) {
  if (!pc->sync_scheduled) return;
  pc->sync_scheduled = false;
  close_batch(st, pc);
}

// Queues `p` on `pc`; the Sync follows at the end of this loop turn.
void submit(const StatePtr& st, const PipePtr& pc, const std::shared_ptr<Pending>& p) {
  Conn* c = pc->conn.get();
  if (p->isolated && pc->sync_scheduled) sync_batch(st, pc);
  if (c->broken) {
    p->error =
        std::make_exception_ptr(PgError(PgError::Kind::unavailable, "postgres: connection lost"));
    complete(*p);
    return;
  }
  std::vector<const char*> values;
  values.reserve(p->params.size());
  for (const auto& v : p->params) values.push_back(v ? v->c_str() : nullptr);
  int n = static_cast<int>(values.size());
  bool sent = true;
  if (p->name != nullptr) {
    if (!c->prepared.contains(p->name)) {
      // PREPARE goes in a batch of its own: a failure of another statement must not skip it
      // while later batches, already sent, count on it.
      sync_batch(st, pc);
      sent = PQsendPrepare(c->pg, p->name, p->sql.c_str(), n, nullptr) == 1;
      c->prepared.insert(p->name);  // later statements may use it: the pipeline keeps order
      pc->entries.push_back({p, true});
      if (sent) close_batch(st, pc);
      sent = sent && !c->broken;
    }
    sent = sent && PQsendQueryPrepared(c->pg, p->name, n, values.data(), nullptr, nullptr, 0) == 1;
  } else {
    sent = sent && PQsendQueryParams(c->pg, p->sql.c_str(), n, nullptr, values.data(), nullptr,
                                     nullptr, 0) == 1;
  }
  if (!sent) {
    auto failure = std::make_exception_ptr(PgError(PgError::Kind::unavailable, pq_message(c->pg)));
    st->drop(pc, failure);
    p->error = failure;
    complete(*p);
    return;
  }
  pc->entries.push_back({p, false});
  ++pc->statements;
  st->in_flight.inc();
  if (p->isolated) {
    close_batch(st, pc);
  } else if (!pc->sync_scheduled) {
    pc->sync_scheduled = true;
    asio::post(st->executor, [st, pc] { sync_batch(st, pc); });
  }
  if (!pc->reading) {
    pc->reading = true;
    asio::co_spawn(st->executor, read_loop(st, pc), asio::detached);
  }
}

// The Sync of the oldest batch arrived: hand out its answers, or run it again.
void resolve_batch(const StatePtr& st, const PipePtr& pc,
                   std::vector<std::shared_ptr<Pending>>& resubmit) {
  std::vector<Entry> batch = std::move(pc->settled);
  pc->settled.clear();
  bool any_failed = false, first_failed = false, seen_statement = false;
  for (const auto& e : batch) {
    if (e.failed && !any_failed) first_failed = !seen_statement;
    any_failed = any_failed || e.failed;
    if (!e.is_prepare) seen_statement = true;
  }
  for (auto& e : batch) {
    if (e.is_prepare) continue;
    --pc->statements;
    st->in_flight.dec();
    Pending& p = *e.pending;
    // Without a failure everything committed. With one, only a failure at the head of the
    // batch is the statement's own; the rest was rolled back or skipped and runs again,
    // and a statement that failed behind others runs alone to get its own answer.
    if (!any_failed || (first_failed && p.error)) {
      complete(p);
      continue;
    }
    if (Clock::now() >= p.deadline) {  // its caller has given up: do not run it behind its back
      p.error =
          std::make_exception_ptr(PgError(PgError::Kind::timeout, "postgres: query timed out"));
      complete(p);
      continue;
    }
    p.isolated = p.isolated || p.error != nullptr;
    p.error = nullptr;
    p.result.reset();
    resubmit.push_back(e.pending);
  }
}

// Hands every answer that has arrived to its statement; returns when it must wait for input.
void take_results(const StatePtr& st, const PipePtr& pc,
                  std::vector<std::shared_ptr<Pending>>& resubmit) {
  Conn* c = pc->conn.get();
  while ((!pc->entries.empty() || pc->syncs_owed > 0) && PQisBusy(c->pg) == 0) {
    PGresult* r = PQgetResult(c->pg);
    if (r == nullptr) {
      if (pc->entries.empty() || !pc->entries.front().answered) return;  // nothing yet
      pc->settled.push_back(std::move(pc->entries.front()));
      pc->entries.pop_front();
      continue;
    }
    auto status = PQresultStatus(r);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      if (pc->syncs_owed > 0) --pc->syncs_owed;
      resolve_batch(st, pc, resubmit);
      continue;
    }
    if (pc->entries.empty()) {  // cannot happen with a well-behaved server
      PQclear(r);
      continue;
    }
    Entry& front = pc->entries.front();
    front.answered = true;
    Pending& p = *front.pending;
    switch (status) {
      case PGRES_PIPELINE_ABORTED:
        PQclear(r);
        front.aborted = true;
        if (front.is_prepare) c->prepared.erase(p.name);  // the retry prepares again
        break;
      case PGRES_FATAL_ERROR:
      case PGRES_BAD_RESPONSE:
      case PGRES_NONFATAL_ERROR: {
        auto e = error_from(c, r);
        front.failed = true;
        if (front.is_prepare) c->prepared.erase(p.name);
        // A failed PREPARE is its statement's own error, so that statement is not retried.
        if (!p.error) p.error = std::make_exception_ptr(std::move(e));
        break;
      }
      default:
        if (front.is_prepare) {
          PQclear(r);
        } else {
          p.result.emplace(r);
        }
    }
  }
}

Task<void> read_loop(StatePtr st, PipePtr pc) {
  Conn* c = pc->conn.get();
  std::exception_ptr failure;
  std::vector<std::shared_ptr<Pending>> resubmit;
  try {
    for (;;) {
      take_results(st, pc, resubmit);
      for (auto& p : resubmit) submit(st, pc, p);
      resubmit.clear();
      // An error makes the server answer before our Sync has gone out (libpq also sends
      // queued statements whenever it reads), so answered entries may still await a Sync.
      if (idle(*pc) || c->broken) break;
      // No deadline here: each statement keeps its own, and a dead server makes the socket
      // readable (EOF) anyway.
      c->watch_current_socket();
      auto [ec] = co_await c->sock.async_wait(asio::posix::descriptor_base::wait_read, nothrow);
      if (ec) throw PgError(PgError::Kind::unavailable, "postgres: " + ec.message());
      if (PQconsumeInput(c->pg) == 0) throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
    }
  } catch (...) {
    failure = std::current_exception();
  }
  pc->reading = false;
  if (failure || c->broken) {
    if (!failure)
      failure = std::make_exception_ptr(PgError(PgError::Kind::unavailable, pq_message(c->pg)));
    st->drop(pc, failure);
  }
}

// Wakes the statements whose deadline passed; runs while any statement is in flight.
Task<void> sweep(StatePtr st) {
  asio::steady_timer tick(st->executor);
  for (;;) {
    tick.expires_after(std::chrono::milliseconds(50));
    co_await tick.async_wait(nothrow);
    auto now = Clock::now();
    bool any = false;
    std::vector<PipePtr> silent;
    for (auto& pc : st->conns) {
      auto check = [&](const Entry& e) {
        any = true;
        if (!e.pending->done && e.pending->deadline <= now) e.pending->signal.cancel();
      };
      std::for_each(pc->entries.begin(), pc->entries.end(), check);
      std::for_each(pc->settled.begin(), pc->settled.end(), check);
      // A server that has not answered for a whole further timeout is gone without a word
      // (a partition sends no reset): give up the connection rather than queue behind it.
      if (!pc->entries.empty() &&
          pc->entries.front().pending->deadline + st->opt.query_timeout <= now)
        silent.push_back(pc);
    }
    for (auto& pc : silent)
      st->drop(pc, std::make_exception_ptr(
                       PgError(PgError::Kind::timeout, "postgres: the server stopped answering")));
    if (!any) break;
  }
  st->sweeping = false;
}

Task<PipePtr> pick(StatePtr st) {
  for (;;) {
    PipePtr best;
    for (auto& pc : st->conns)
      if (!best || pc->statements < best->statements) best = pc;
    if (best && idle(*best) && !still_healthy(best->conn.get())) {
      st->drop(best, nullptr);  // its server went away while it was idle
      continue;
    }
    bool may_open = st->conns.size() + st->opening < st->opt.max_size;
    if (best && (best->statements < st->opt.pipeline_depth || !may_open || st->opening > 0))
      co_return best;
    if (!best && st->opening > 0) {
      // The first connection is on its way: share it rather than opening one each.
      co_await st->opened.async_wait(nothrow);
      continue;
    }
    ++st->opening;
    std::unique_ptr<Conn> conn;
    std::exception_ptr failure;
    try {
      conn = co_await open_connection(st->executor, st->opt.conninfo, st->opt.connect_timeout);
      if (PQenterPipelineMode(conn->pg) != 1)
        throw PgError(PgError::Kind::unavailable, pq_message(conn->pg));
    } catch (...) {
      failure = std::current_exception();
    }
    --st->opening;
    st->opened.cancel();
    if (failure) {
      if (best) co_return best;
      std::rethrow_exception(failure);
    }
    auto pc = std::make_shared<PipeConn>();
    pc->conn = std::move(conn);
    st->conns.push_back(pc);
    st->connections.inc();
    co_return pc;
  }
}

Task<Result> run_pipelined(StatePtr st, const char* name, std::string sql, Params params) {
  auto p = std::make_shared<Pending>(st->executor);
  p->deadline = Clock::now() + st->opt.query_timeout;
  p->name = name;
  p->sql = std::move(sql);
  p->params = std::move(params);
  auto pc = co_await pick(st);
  submit(st, pc, p);
  if (!st->sweeping) {
    st->sweeping = true;
    asio::co_spawn(st->executor, sweep(st), asio::detached);
  }
  if (!p->done) co_await p->signal.async_wait(nothrow);  // completed, or cancelled by the sweep
  // Timed out: the answer will still arrive and be dropped; the connection stays usable.
  if (!p->done) throw PgError(PgError::Kind::timeout, "postgres: query timed out");
  if (p->error) std::rethrow_exception(p->error);
  if (!p->result) throw PgError(PgError::Kind::query, "postgres: no result");
  co_return std::move(*p->result);
}
}  // namespace

Pipeline::Pipeline(asio::any_io_executor executor, PoolOptions options)
    : state_(std::make_shared<State>(std::move(executor), std::move(options))) {}

Pipeline::~Pipeline() { state_->connections.dec(static_cast<double>(state_->conns.size())); }

Task<Result> Pipeline::run(const char* name, std::string sql, Params params) {
  return run_pipelined(state_, name, std::move(sql), std::move(params));
}

}  // namespace bazaar::pg::detail
