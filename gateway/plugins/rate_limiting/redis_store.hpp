#pragma once
// Counters in Redis (Kong's `redis` policy), shared by every gateway process and Kong node
// using the same Redis, database and keys.
//
// One store keeps one connection and pipelines every request's command on it: replies come
// back in order, so no request waits for another's round trip. Meant to be made once per
// worker (PerWorker<RedisStore> on that worker's io_context): each worker then has its own
// connection and its callbacks run on its own thread. add() may nonetheless be called from
// any thread: the call hops onto the store's executor, which must not run handlers
// concurrently (a single-threaded io_context, or a strand).
//
// Failures answer fast, with CountResult::error set:
//  - connecting (resolve, TCP, AUTH, SELECT, SCRIPT LOAD) and every reply are bounded by
//    RedisConfig::timeout_ms; a hung server fails the requests waiting on it after that;
//  - a refused connection fails the waiting requests at once; then, for a backoff that grows
//    with consecutive failed connects (50 ms up to 3 s, jittered), requests fail at once
//    without trying; the first request after it connects again;
//  - a connection that was up and breaks (Redis restarted) is reconnected by the next
//    request without backoff.
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"

namespace bazaar::gateway::rate_limiting {

class RedisStore final : public CounterStore {
 public:
  // Does not connect: the first add() does. Throws std::invalid_argument for a config it
  // cannot honour (redis.ssl: TLS is not implemented here, and silently talking plain TCP
  // to a server that expects TLS would only ever time out).
  RedisStore(boost::asio::any_io_executor executor, RedisConfig config);
  // Closes the connection; requests still waiting get `error`. Destroy the store before
  // its executor's io_context.
  ~RedisStore() override;
  RedisStore(const RedisStore&) = delete;
  RedisStore& operator=(const RedisStore&) = delete;

  // `done` runs on the store's executor: inline when the call comes from there and the
  // store can answer without Redis (closed, backing off), later otherwise.
  void add(const CountQuery& query, CountCallback done) override;

  // Kong's redis policy counts in `usage`, before deciding, so refused requests stay counted.
  bool counts_refused_requests() const override { return true; }

 private:
  class Connection;
  std::shared_ptr<Connection> connection_;
};

}  // namespace bazaar::gateway::rate_limiting
