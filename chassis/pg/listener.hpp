#pragma once
// A connection of its own for LISTEN/NOTIFY and session advisory locks: the outbox relay
// sleeps on it until a commit notifies, and holds the lock that makes one replica the relay.
#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <memory>
#include <string>

#include "chassis/pg/pool.hpp"

namespace bazaar::pg {

class Listener {
 public:
  Listener(boost::asio::any_io_executor executor, std::string conninfo);
  ~Listener();

  // (Re)connects and runs LISTEN `channel`. Throws PgError.
  Task<void> listen(std::string channel);
  // True when a notification arrived within `timeout`, or wake() was called since the last
  // wait returned. Throws PgError when the connection is lost (listen() again to recover).
  Task<bool> wait(std::chrono::milliseconds timeout);
  // Ends the current wait (or the next one, at once) as if a notification had arrived: a
  // signal from this process, which needs no NOTIFY. Call it on the executor's thread.
  void wake();
  // pg_try_advisory_lock(key) on this session; held until the connection ends.
  Task<bool> try_lock(long long key);
  bool connected() const;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace bazaar::pg
