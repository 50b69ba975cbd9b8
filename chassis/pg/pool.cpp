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

#include "chassis/core/log.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::pg {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using Clock = std::chrono::steady_clock;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

std::string pq_message(PGconn* pg) {
  std::string m = pg != nullptr ? PQerrorMessage(pg) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return "postgres: " + m;
}

struct Conn {
  explicit Conn(asio::any_io_executor ex) : sock(std::move(ex)) {}
  ~Conn() {
    boost::system::error_code ec;
    sock.close(ec);
    if (pg != nullptr) PQfinish(pg);
  }
  PGconn* pg = nullptr;
  // A dup() of libpq's socket: Asio may close its copy without pulling the socket from
  // under libpq, and libpq may replace its socket while connecting.
  asio::posix::stream_descriptor sock;
  int watched = -1;
  std::unordered_set<std::string> prepared;
  bool broken = false;
  bool reused = false;
  bool failed_before_send = false;

  void watch_current_socket() {
    int fd = PQsocket(pg);
    if (fd == watched && sock.is_open()) return;
    boost::system::error_code ec;
    sock.close(ec);
    int copy = ::dup(fd);
    if (copy < 0) throw PgError(PgError::Kind::unavailable, "postgres: dup() failed");
    sock.assign(copy);
    watched = fd;
  }
};

Task<void> wait_socket(Conn* c, asio::posix::descriptor_base::wait_type type,
                       Clock::time_point deadline, const char* what) {
  c->watch_current_socket();
  asio::steady_timer timer(c->sock.get_executor(), deadline);
  auto r = co_await (c->sock.async_wait(type, asio::use_awaitable) ||
                     timer.async_wait(asio::use_awaitable));
  if (r.index() == 1) {
    c->broken = true;
    throw PgError(PgError::Kind::timeout, std::string("postgres: ") + what + " timed out");
  }
}

Task<std::unique_ptr<Conn>> open_connection(asio::any_io_executor ex, std::string conninfo,
                                            std::chrono::milliseconds timeout) {
  auto c = std::make_unique<Conn>(ex);
  c->pg = PQconnectStart(conninfo.c_str());
  if (c->pg == nullptr || PQstatus(c->pg) == CONNECTION_BAD)
    throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
  auto deadline = Clock::now() + timeout;
  PostgresPollingStatusType st = PGRES_POLLING_WRITING;
  while (st != PGRES_POLLING_OK) {
    if (st == PGRES_POLLING_FAILED) throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
    co_await wait_socket(c.get(),
                         st == PGRES_POLLING_READING ? asio::posix::descriptor_base::wait_read
                                                     : asio::posix::descriptor_base::wait_write,
                         deadline, "connect");
    st = PQconnectPoll(c->pg);
  }
  if (PQsetnonblocking(c->pg, 1) != 0) throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
  co_return c;
}

// Sends what libpq has buffered, then collects every result of the command. Returns the
// last result; the first error result is turned into a PgError.
Task<Result> finish_command(Conn* c, Clock::time_point deadline) {
  for (;;) {
    int f = PQflush(c->pg);
    if (f == 0) break;
    if (f < 0) {
      c->broken = true;
      throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
    }
    co_await wait_socket(c, asio::posix::descriptor_base::wait_write, deadline, "send");
  }
  PGresult* last = nullptr;
  PGresult* error = nullptr;
  for (;;) {
    while (PQisBusy(c->pg) != 0) {
      co_await wait_socket(c, asio::posix::descriptor_base::wait_read, deadline, "query");
      if (PQconsumeInput(c->pg) == 0) {
        c->broken = true;
        if (last != nullptr) PQclear(last);
        if (error != nullptr) PQclear(error);
        throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
      }
    }
    PGresult* r = PQgetResult(c->pg);
    if (r == nullptr) break;
    auto st = PQresultStatus(r);
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (error == nullptr)
        error = r;
      else
        PQclear(r);
    } else {
      if (last != nullptr) PQclear(last);
      last = r;
    }
  }
  if (error != nullptr) {
    if (last != nullptr) PQclear(last);
    const char* state = PQresultErrorField(error, PG_DIAG_SQLSTATE);
    std::string msg = PQresultErrorMessage(error);
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    std::string sqlstate = state != nullptr ? state : "";
    PQclear(error);
    if (PQstatus(c->pg) == CONNECTION_BAD) {
      c->broken = true;
      throw PgError(PgError::Kind::unavailable, "postgres: " + msg);
    }
    // Class 57 (operator intervention: shutdown, cancel) and 08 (connection) are outages.
    if (sqlstate.rfind("57", 0) == 0 || sqlstate.rfind("08", 0) == 0) {
      c->broken = true;
      throw PgError(PgError::Kind::unavailable, "postgres: " + msg, sqlstate);
    }
    throw PgError(PgError::Kind::query, "postgres: " + msg, sqlstate);
  }
  if (last == nullptr) throw PgError(PgError::Kind::query, "postgres: no result");
  co_return Result(last);
}

void send_failed(Conn* c) {
  c->broken = true;
  c->failed_before_send = true;
  throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
}

Task<Result> execute(Conn* c, const char* name, std::string sql, Params params,
                     Clock::time_point deadline) {
  c->failed_before_send = false;
  std::vector<const char*> values;
  values.reserve(params.size());
  for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  int n = static_cast<int>(values.size());
  if (name != nullptr) {
    if (!c->prepared.contains(name)) {
      if (PQsendPrepare(c->pg, name, sql.c_str(), n, nullptr) == 0) send_failed(c);
      co_await finish_command(c, deadline);
      c->prepared.insert(name);
    }
    if (PQsendQueryPrepared(c->pg, name, n, values.data(), nullptr, nullptr, 0) == 0)
      send_failed(c);
  } else {
    if (PQsendQueryParams(c->pg, sql.c_str(), n, nullptr, values.data(), nullptr, nullptr, 0) == 0)
      send_failed(c);
  }
  co_return co_await finish_command(c, deadline);
}

// An idle connection whose server went away has a readable socket (EOF or a FATAL notice).
bool still_healthy(Conn* c) {
  if (PQstatus(c->pg) != CONNECTION_OK) return false;
  pollfd p{PQsocket(c->pg), POLLIN, 0};
  if (::poll(&p, 1, 0) > 0) {
    if (PQconsumeInput(c->pg) == 0 || PQstatus(c->pg) != CONNECTION_OK) return false;
    while (PGnotify* n = PQnotifies(c->pg)) PQfreemem(n);
  }
  return true;
}
}  // namespace

struct Lease {
  std::shared_ptr<Pool::Impl> pool;
  std::unique_ptr<Conn> conn;
  ~Lease();
};

struct Pool::Impl : std::enable_shared_from_this<Pool::Impl> {
  struct Waiter {
    asio::steady_timer timer;
    std::unique_ptr<Conn> conn;
  };

  Impl(asio::any_io_executor ex, PoolOptions o)
      : executor(std::move(ex)),
        opt(std::move(o)),
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

Task<Result> run_with_retry(std::shared_ptr<Pool::Impl> p, const char* name, std::string sql,
                            Params params) {
  for (int attempt = 0;; ++attempt) {
    auto lease = co_await acquire(p);
    auto deadline = Clock::now() + p->opt.query_timeout;
    std::exception_ptr failure;
    bool retry = false;
    try {
      co_return co_await execute(lease->conn.get(), name, sql, params, deadline);
    } catch (const PgError& e) {
      // A pooled connection that died while idle (server restarted) fails before the
      // statement reached any server: running it again on a fresh connection is safe.
      retry = attempt == 0 && e.kind == PgError::Kind::unavailable && lease->conn->reused &&
              lease->conn->failed_before_send;
      failure = std::current_exception();
    }
    if (!retry) std::rethrow_exception(failure);
  }
}
}  // namespace

Pool::Pool(asio::any_io_executor executor, PoolOptions options)
    : impl_(std::make_shared<Impl>(std::move(executor), std::move(options))) {}

Pool::~Pool() {
  for (auto& c : impl_->idle) {
    (void)c;
    impl_->idle_gauge.dec();
  }
  impl_->idle.clear();
}

Task<Result> Pool::query(Statement statement, Params params) {
  return run_with_retry(impl_, statement.name, statement.sql, std::move(params));
}

Task<Result> Pool::query_sql(std::string sql, Params params) {
  return run_with_retry(impl_, nullptr, std::move(sql), std::move(params));
}

Task<bool> Pool::ping() {
  try {
    co_await run_with_retry(impl_, nullptr, "SELECT 1", {});
    co_return true;
  } catch (const PgError&) {
  }
  co_return false;
}

Task<Transaction> Pool::begin() {
  auto p = impl_;
  auto lease = co_await acquire(p);
  auto deadline = Clock::now() + p->opt.query_timeout;
  co_await execute(lease->conn.get(), nullptr, "BEGIN", {}, deadline);
  co_return Transaction(std::move(lease));
}

Transaction::Transaction(std::unique_ptr<Lease> lease) : lease_(std::move(lease)) {}
Transaction::Transaction(Transaction&&) noexcept = default;
Transaction& Transaction::operator=(Transaction&&) noexcept = default;

Transaction::~Transaction() {
  // Not committed: closing the connection makes the server roll back.
  if (lease_ && lease_->conn) lease_->conn->broken = true;
}

Task<Result> Transaction::exec(Statement statement, Params params) {
  auto deadline = Clock::now() + lease_->pool->opt.query_timeout;
  return execute(lease_->conn.get(), statement.name, statement.sql, std::move(params), deadline);
}

Task<Result> Transaction::exec_sql(std::string sql, Params params) {
  auto deadline = Clock::now() + lease_->pool->opt.query_timeout;
  return execute(lease_->conn.get(), nullptr, std::move(sql), std::move(params), deadline);
}

Task<void> Transaction::commit() {
  auto deadline = Clock::now() + lease_->pool->opt.query_timeout;
  co_await execute(lease_->conn.get(), nullptr, "COMMIT", {}, deadline);
  lease_.reset();
}

}  // namespace bazaar::pg
