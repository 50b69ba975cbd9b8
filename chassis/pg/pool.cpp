#include "chassis/pg/pool.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <deque>
#include <unordered_set>
#include <utility>

#include "chassis/core/log.hpp"
#include "chassis/pg/connection.hpp"
#include "chassis/pg/pipeline.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::pg {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
}  // namespace
using namespace detail;

struct Lease {
  std::shared_ptr<Pool::Impl> pool;
  std::unique_ptr<Conn> conn;
  // Handlers sharing one transaction (events::in_transactions) send in turn: one round trip
  // on the connection at a time, the others wait here in order.
  bool sending = false;
  std::deque<asio::steady_timer*> next_senders;
  ~Lease();
};

struct Pool::Impl : std::enable_shared_from_this<Pool::Impl> {
  struct Waiter {
    asio::steady_timer timer;
    std::unique_ptr<Conn> conn;
  };

  Impl(asio::any_io_executor ex, PoolOptions o)
      : executor(ex),
        opt(o),
        pipeline(std::move(ex), std::move(o)),
        used(telemetry::default_registry().gauge("db_client_connection_count",
                                                 "Database connections by state",
                                                 {{"pool", opt.name}, {"state", "used"}})),
        idle_gauge(telemetry::default_registry().gauge("db_client_connection_count",
                                                       "Database connections by state",
                                                       {{"pool", opt.name}, {"state", "idle"}})),
        pending(telemetry::default_registry().gauge(
            "db_client_connection_pending_requests",
            "Requests waiting for a free database connection", {{"pool", opt.name}})),
        waits(telemetry::default_registry().counter(
            "db_client_connection_waits_total",
            "Times a request had to wait for a free database connection", {{"pool", opt.name}})),
        timeouts(telemetry::default_registry().counter(
            "db_client_connection_timeouts_total",
            "Waits for a database connection that ran out of time", {{"pool", opt.name}})) {}

  asio::any_io_executor executor;
  PoolOptions opt;
  Pipeline pipeline;  // auto-commit statements
  std::deque<std::unique_ptr<Conn>> idle;
  std::size_t total = 0;  // idle + leased + connecting
  std::deque<Waiter*> waiters;
  telemetry::Gauge& used;
  telemetry::Gauge& idle_gauge;
  telemetry::Gauge& pending;
  telemetry::Counter& waits;
  telemetry::Counter& timeouts;

  // A slot was freed without a connection to hand over: let the first waiter open one.
  void wake_one() {
    if (waiters.empty()) return;
    Waiter* w = waiters.front();
    waiters.pop_front();
    w->timer.cancel();
  }

  void release(std::unique_ptr<Conn> c) {
    used.dec();
    bool reusable = c && !c->broken && PQstatus(c->pg) == CONNECTION_OK &&
                    PQtransactionStatus(c->pg) == PQTRANS_IDLE;
    if (!reusable) {
      c.reset();
      --total;
      wake_one();
      return;
    }
    if (!waiters.empty()) {
      Waiter* w = waiters.front();
      waiters.pop_front();
      w->conn = std::move(c);
      w->timer.cancel();
      return;
    }
    idle.push_back(std::move(c));
    idle_gauge.inc();
  }
};

Lease::~Lease() {
  if (conn) pool->release(std::move(conn));
}

namespace {
Task<std::unique_ptr<Lease>> acquire(std::shared_ptr<Pool::Impl> p) {
  auto deadline = Clock::now() + p->opt.acquire_timeout;
  for (;;) {
    while (!p->idle.empty()) {
      auto c = std::move(p->idle.back());
      p->idle.pop_back();
      p->idle_gauge.dec();
      if (still_healthy(c.get())) {
        c->reused = true;
        p->used.inc();
        co_return std::unique_ptr<Lease>(new Lease{p, std::move(c)});
      }
      --p->total;
    }
    if (p->total < p->opt.max_size) {
      ++p->total;
      std::exception_ptr failure;
      std::unique_ptr<Conn> c;
      try {
        c = co_await open_connection(p->executor, p->opt.conninfo, p->opt.connect_timeout);
      } catch (...) {
        failure = std::current_exception();
      }
      if (failure) {
        --p->total;
        p->wake_one();
        std::rethrow_exception(failure);
      }
      c->reused = false;
      p->used.inc();
      co_return std::unique_ptr<Lease>(new Lease{p, std::move(c)});
    }
    if (Clock::now() >= deadline) break;
    Pool::Impl::Waiter w{asio::steady_timer(p->executor, deadline), nullptr};
    p->waiters.push_back(&w);
    p->pending.inc();
    p->waits.inc();
    co_await w.timer.async_wait(nothrow);
    p->pending.dec();
    auto queued = std::find(p->waiters.begin(), p->waiters.end(), &w);
    if (queued != p->waiters.end()) p->waiters.erase(queued);
    if (w.conn) {
      w.conn->reused = true;
      p->used.inc();
      co_return std::unique_ptr<Lease>(new Lease{p, std::move(w.conn)});
    }
  }
  p->timeouts.inc();
  throw PgError(PgError::Kind::timeout, "postgres: no pooled connection free within " +
                                            std::to_string(p->opt.acquire_timeout.count()) + " ms");
}

}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Pool::~Pool() {
  impl_->idle_gauge.dec(static_cast<double>(impl_->idle.size()));
  impl_->idle.clear();
}

Task<Result> Pool::query(Statement statement, Params params) {
  return impl_->pipeline.run(statement.name, statement.sql, std::move(params));
}

Task<Result> Pool::query_sql(std::string sql, Params params) {
  return impl_->pipeline.run(nullptr, std::move(sql), std::move(params));
}

const std::string& Pool::conninfo() const { return impl_->opt.conninfo; }

Task<bool> Pool::ping() {
  try {
    co_await impl_->pipeline.run(nullptr, "SELECT 1", {});
    co_return true;
  } catch (const PgError&) {
  }
  co_return false;
}

Task<Transaction> Pool::begin() {
  auto p = impl_;
  auto lease = co_await acquire(p);
  // BEGIN goes out with the first statement (Transaction::send).
  co_return Transaction(std::move(lease));
}

namespace {
// Holds the lease's turn to send for a scope; waits for it first.
class SendTurn {
 public:
  static Task<SendTurn> take(Lease* l) {
    while (l->sending) {
      asio::steady_timer turn(l->pool->executor, asio::steady_timer::time_point::max());
      l->next_senders.push_back(&turn);
      co_await turn.async_wait(nothrow);
    }
    l->sending = true;
    co_return SendTurn(l);
  }
  SendTurn(SendTurn&& o) noexcept : lease_(std::exchange(o.lease_, nullptr)) {}
  SendTurn& operator=(SendTurn&&) = delete;
  ~SendTurn() {
    if (!lease_) return;
    lease_->sending = false;
    if (lease_->next_senders.empty()) return;
    lease_->next_senders.front()->cancel();
    lease_->next_senders.pop_front();
  }

 private:
  explicit SendTurn(Lease* l) : lease_(l) {}
  Lease* lease_;
};
}  // namespace

Transaction::Transaction(std::unique_ptr<Lease> lease) : lease_(std::move(lease)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;

Transaction::~Transaction() {
  // Not committed: closing the connection makes the server roll back.
  if (lease_ && lease_->conn) lease_->conn->broken = true;
}

// BEGIN when it has not gone out yet, the deferred statements, then this one: one round trip.
Task<Result> Transaction::send(const char* name, std::string sql, Params params, bool commit) {
  auto turn = co_await SendTurn::take(lease_.get());
  auto deadline = Clock::now() + lease_->pool->opt.query_timeout;
  std::vector<Command> commands;
  commands.reserve(deferred_.size() + 3);
  if (!begun_) commands.push_back({nullptr, "BEGIN", {}});
  for (auto& d : deferred_)
    commands.push_back({d.statement.name, d.statement.sql, std::move(d.params)});
  deferred_.clear();
  commands.push_back({name, std::move(sql), std::move(params)});
  std::size_t result_of = commands.size() - 1;
  if (commit) commands.push_back({nullptr, "COMMIT", {}});
  begun_ = true;
  co_return co_await execute_all(lease_->conn.get(), std::move(commands), deadline, result_of);
}

Task<Result> Transaction::exec(Statement statement, Params params) {
  return send(statement.name, statement.sql, std::move(params));
}

Task<Result> Transaction::exec_sql(std::string sql, Params params) {
  return send(nullptr, std::move(sql), std::move(params));
}

void Transaction::defer(Statement statement, Params params) {
  deferred_.push_back({statement, std::move(params)});
}

void Transaction::defer_once(Statement statement, Params params) {
  std::string_view name = statement.name;
  if (std::find(deferred_once_.begin(), deferred_once_.end(), name) != deferred_once_.end()) return;
  deferred_once_.push_back(name);
  defer(statement, std::move(params));
}

void Transaction::after_commit(std::function<void()> f) { after_commit_.push_back(std::move(f)); }

const std::string& Transaction::conninfo() const { return lease_->pool->opt.conninfo; }

// The connection goes back to the pool first: the callbacks may start work that needs one.
void Transaction::committed() {
  lease_.reset();
  auto callbacks = std::move(after_commit_);
  after_commit_.clear();
  for (auto& f : callbacks) f();
}

Task<Result> Transaction::exec_and_commit(Statement statement, Params params) {
  auto r = co_await send(statement.name, statement.sql, std::move(params), true);
  committed();
  co_return r;
}

Task<void> Transaction::commit() {
  co_await send(nullptr, "COMMIT", {});
  committed();
}

}  // namespace bazaar::pg
