#pragma once
// A bounded pool of libpq connections driven by the worker's Asio loop: no thread ever blocks
// on a query. One pool per worker (see PerWorker); statements are prepared per connection.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "chassis/pg/result.hpp"

namespace bazaar::pg {

template <typename T>
using Task = boost::asio::awaitable<T, boost::asio::any_io_executor>;

struct PoolOptions {
  std::string conninfo;     // a libpq URI or key=value string (DB_URL)
  std::string name = "db";  // the `pool` label of its metrics
  std::size_t max_size = 8;
  std::chrono::milliseconds acquire_timeout{2'000};  // waiting for a free connection
  std::chrono::milliseconds connect_timeout{3'000};
  std::chrono::milliseconds query_timeout{5'000};
  // Auto-commit statements share pipelined connections; another one is opened only when
  // the least busy carries this many. Deep pipelines let the server answer in batches; a
  // shallow one limits how long a slow statement can hold up the ones queued behind it.
  std::size_t pipeline_depth = 32;
};

class Pool;
struct Lease;

// BEGIN … COMMIT on one connection. Dropped without commit(), the connection is closed, so the
// server rolls back: no half-written state can leak into the next user of that connection.
// Round trips are what a transaction costs both sides most: BEGIN travels with the first
// statement, and statements whose answer nobody needs (defer) travel with the next exec or
// with COMMIT, in one pipeline.
class Transaction {
 public:
  Transaction(Transaction&&) noexcept;
  Transaction& operator=(Transaction&&) noexcept;
  ~Transaction();

  // Sends what is deferred, then this statement; returns its result. Throws PgError, also
  // for a deferred statement that failed (the transaction is then lost: drop it).
  Task<Result> exec(Statement statement, Params params = {});
  Task<Result> exec_sql(std::string sql, Params params = {});
  // Queues a statement (in order) without a round trip of its own: for writes whose result is
  // not needed. It fails the next exec or the commit if it fails.
  void defer(Statement statement, Params params = {});
  // As defer, but only the first time this transaction asks for `statement` (by name): for
  // what one transaction needs once however many writes ask for it (a NOTIFY).
  void defer_once(Statement statement, Params params = {});
  // Runs `f` once the transaction has committed, never when it fails or is dropped: for
  // in-process signals about what it wrote. `f` must not throw.
  void after_commit(std::function<void()> f);
  // The conninfo of its pool: names the database it writes to.
  const std::string& conninfo() const;
  Task<void> commit();
  // The statement and COMMIT in the same round trip (with BEGIN and what is deferred, when
  // those have not gone out): the last statement of a transaction, whose result is wanted.
  Task<Result> exec_and_commit(Statement statement, Params params = {});

 private:
  friend class Pool;
  explicit Transaction(std::unique_ptr<Lease> lease);
  Task<Result> send(const char* name, std::string sql, Params params, bool commit = false);
  void committed();
  std::unique_ptr<Lease> lease_;
  bool begun_ = false;  // BEGIN has gone out
  struct Deferred {
    Statement statement;
    Params params;
  };
  std::vector<Deferred> deferred_;
  std::vector<std::string_view> deferred_once_;  // names defer_once has queued
  std::vector<std::function<void()>> after_commit_;
};

class Pool {
 public:
  Pool(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pool();
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // One statement in auto-commit. Throws PgError.
  Task<Result> query(Statement statement, Params params = {});
  Task<Result> query_sql(std::string sql, Params params = {});
  Task<Transaction> begin();
  // True when a connection can run SELECT 1 within the query timeout.
  Task<bool> ping();
  // Its PoolOptions::conninfo: names the database it works on.
  const std::string& conninfo() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace bazaar::pg
