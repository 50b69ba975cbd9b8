#pragma once
// One libpq connection driven by Asio: the pieces the pool and the pipeline share.
// Internal to chassis/pg (includes libpq and Asio headers).
#include <libpq-fe.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_set>

#include "chassis/pg/pool.hpp"

namespace bazaar::pg::detail {

using Clock = std::chrono::steady_clock;

std::string pq_message(PGconn* pg);

struct Conn {
  explicit Conn(boost::asio::any_io_executor ex) : sock(std::move(ex)) {}
  ~Conn();
  PGconn* pg = nullptr;
  // A dup() of libpq's socket: Asio may close its copy without pulling the socket from
  // under libpq, and libpq may replace its socket while connecting.
  boost::asio::posix::stream_descriptor sock;
  int watched = -1;
  std::unordered_set<std::string> prepared;
  bool broken = false;
  bool reused = false;
  bool failed_before_send = false;

  void watch_current_socket();
};

// Waits until the socket is ready or `deadline` passes (PgError timeout, connection broken).
Task<void> wait_socket(Conn* c, boost::asio::posix::descriptor_base::wait_type type,
                       Clock::time_point deadline, const char* what);
Task<std::unique_ptr<Conn>> open_connection(boost::asio::any_io_executor ex, std::string conninfo,
                                            std::chrono::milliseconds timeout);
// One statement on an exclusively held connection (not in pipeline mode).
Task<Result> execute(Conn* c, const char* name, std::string sql, Params params,
                     Clock::time_point deadline);
// One command of execute_all.
struct Command {
  const char* name;  // prepared on first use, as execute does; nullptr: unnamed
  std::string sql;
  Params params;
};
// Several statements on an exclusively held connection in one round trip (libpq pipeline
// mode): all are sent, then all answers read. Returns the result of commands[result_of]
// (the last one when out of range). When one fails, the server skips the rest (none of them
// runs) and its error is thrown.
Task<Result> execute_all(Conn* c, std::vector<Command> commands, Clock::time_point deadline,
                         std::size_t result_of = static_cast<std::size_t>(-1));
// An idle connection whose server went away has a readable socket (EOF or a FATAL notice).
bool still_healthy(Conn* c);
// Turns an error result into the PgError to throw, marking the connection broken when the
// error means the connection is gone.
PgError error_from(Conn* c, PGresult* error);

}  // namespace bazaar::pg::detail
