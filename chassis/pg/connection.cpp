#include "chassis/pg/connection.hpp"

#include <poll.h>
#include <unistd.h>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace bazaar::pg::detail {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;

std::string pq_message(PGconn* pg) {
  std::string m = pg != nullptr ? PQerrorMessage(pg) : "out of memory";
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return "postgres: " + m;
}

Conn::~Conn() {
  boost::system::error_code ec;
  sock.close(ec);
  if (pg != nullptr) PQfinish(pg);
}

void Conn::watch_current_socket() {
  int fd = PQsocket(pg);
  if (fd == watched && sock.is_open()) return;
  boost::system::error_code ec;
  sock.close(ec);
  int copy = ::dup(fd);
  if (copy < 0) throw PgError(PgError::Kind::unavailable, "postgres: dup() failed");
  sock.assign(copy);
  watched = fd;
}

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

PgError error_from(Conn* c, PGresult* error) {
  const char* state = PQresultErrorField(error, PG_DIAG_SQLSTATE);
  std::string msg = PQresultErrorMessage(error);
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  std::string sqlstate = state != nullptr ? state : "";
  PQclear(error);
  if (PQstatus(c->pg) == CONNECTION_BAD) {
    c->broken = true;
    return PgError(PgError::Kind::unavailable, "postgres: " + msg);
  }
  // Class 57 (operator intervention: shutdown, cancel) and 08 (connection) are outages.
  if (sqlstate.rfind("57", 0) == 0 || sqlstate.rfind("08", 0) == 0) {
    c->broken = true;
    return PgError(PgError::Kind::unavailable, "postgres: " + msg, sqlstate);
  }
  return PgError(PgError::Kind::query, "postgres: " + msg, sqlstate);
}

// Sends what libpq has buffered, then collects every result of the command. Returns the
// last result; the first error result is turned into a PgError.
namespace {
// Sends what libpq has buffered.
Task<void> flush_output(Conn* c, Clock::time_point deadline) {
  for (;;) {
    int f = PQflush(c->pg);
    if (f == 0) break;
    if (f < 0) {
      c->broken = true;
      throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
    }
    co_await wait_socket(c, asio::posix::descriptor_base::wait_write, deadline, "send");
  }
}

// The server went away mid-command: the results read so far are freed, the connection is
// marked broken.
[[noreturn]] void connection_lost(Conn* c, PGresult* last, PGresult* error) {
  c->broken = true;
  if (last != nullptr) PQclear(last);
  if (error != nullptr) PQclear(error);
  throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
}

Task<Result> finish_command(Conn* c, Clock::time_point deadline) {
  co_await flush_output(c, deadline);
  PGresult* last = nullptr;
  PGresult* error = nullptr;
  for (;;) {
    while (PQisBusy(c->pg) != 0) {
      co_await wait_socket(c, asio::posix::descriptor_base::wait_read, deadline, "query");
      if (PQconsumeInput(c->pg) == 0) connection_lost(c, last, error);
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
    throw error_from(c, error);
  }
  if (last == nullptr) throw PgError(PgError::Kind::query, "postgres: no result");
  co_return Result(last);
}

void send_failed(Conn* c) {
  c->broken = true;
  c->failed_before_send = true;
  throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
}

}  // namespace

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

Task<Result> execute_all(Conn* c, std::vector<Command> commands, Clock::time_point deadline,
                         std::size_t result_of) {
  if (result_of >= commands.size()) result_of = commands.size() - 1;
  if (commands.size() == 1) {
    auto& only = commands.front();
    co_return co_await execute(c, only.name, std::move(only.sql), std::move(only.params), deadline);
  }
  c->failed_before_send = false;
  if (PQenterPipelineMode(c->pg) != 1) send_failed(c);
  // What each answer belongs to: true for a PREPARE sent ahead of its statement.
  std::vector<bool> is_prepare;
  std::size_t wanted = 0;  // the answer (index among all answers) to return
  std::vector<const char*> newly_prepared;
  for (std::size_t k = 0; k < commands.size(); ++k) {
    auto& cmd = commands[k];
    std::vector<const char*> values;
    values.reserve(cmd.params.size());
    for (const auto& p : cmd.params) values.push_back(p ? p->c_str() : nullptr);
    int n = static_cast<int>(values.size());
    if (cmd.name != nullptr) {
      bool known = c->prepared.contains(cmd.name);
      for (const char* x : newly_prepared) known = known || std::string_view(x) == cmd.name;
      if (!known) {
        if (PQsendPrepare(c->pg, cmd.name, cmd.sql.c_str(), n, nullptr) == 0) send_failed(c);
        is_prepare.push_back(true);
        newly_prepared.push_back(cmd.name);
      }
      if (PQsendQueryPrepared(c->pg, cmd.name, n, values.data(), nullptr, nullptr, 0) == 0)
        send_failed(c);
    } else if (PQsendQueryParams(c->pg, cmd.sql.c_str(), n, nullptr, values.data(), nullptr,
                                 nullptr, 0) == 0) {
      send_failed(c);
    }
    if (k == result_of) wanted = is_prepare.size();
    is_prepare.push_back(false);
  }
  if (PQpipelineSync(c->pg) != 1) send_failed(c);
  co_await flush_output(c, deadline);
  // Answers arrive in order: one result per command (then a null), and the Sync's at the end.
  PGresult* last = nullptr;
  PGresult* error = nullptr;
  std::size_t answered = 0;
  bool synced = false;
  bool wait_for_input = false;
  bool ended_one = false;  // the last call returned the null that ends a command
  while (!synced) {
    // A null right after a null: nothing has arrived yet (or the connection is gone, which
    // reading finds out) — wait for the socket rather than spin.
    while (wait_for_input || PQisBusy(c->pg) != 0) {
      wait_for_input = false;
      co_await wait_socket(c, asio::posix::descriptor_base::wait_read, deadline, "query");
      if (PQconsumeInput(c->pg) == 0) connection_lost(c, last, error);
    }
    PGresult* r = PQgetResult(c->pg);
    if (r == nullptr) {  // the end of one command's results
      if (PQstatus(c->pg) == CONNECTION_BAD) connection_lost(c, last, error);
      wait_for_input = ended_one;
      ended_one = true;
      continue;
    }
    ended_one = false;
    auto st = PQresultStatus(r);
    if (st == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      synced = true;
      continue;
    }
    std::size_t index = answered++;
    bool prepare = index < is_prepare.size() && is_prepare[index];
    if (st == PGRES_FATAL_ERROR || st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR) {
      if (error == nullptr)
        error = r;
      else
        PQclear(r);
    } else if (st == PGRES_PIPELINE_ABORTED || prepare || index != wanted) {
      PQclear(r);
    } else {
      if (last != nullptr) PQclear(last);
      last = r;
    }
  }
  if (PQexitPipelineMode(c->pg) != 1) c->broken = true;
  if (error != nullptr) {
    if (last != nullptr) PQclear(last);
    // What was not prepared for sure is prepared again on its next use.
    for (const char* name : newly_prepared) c->prepared.erase(name);
    throw error_from(c, error);
  }
  for (const char* name : newly_prepared) c->prepared.insert(name);
  if (last == nullptr) throw PgError(PgError::Kind::query, "postgres: no result");
  co_return Result(last);
}

bool still_healthy(Conn* c) {
  if (PQstatus(c->pg) != CONNECTION_OK) return false;
  pollfd p{PQsocket(c->pg), POLLIN, 0};
  if (::poll(&p, 1, 0) > 0) {
    if (PQconsumeInput(c->pg) == 0 || PQstatus(c->pg) != CONNECTION_OK) return false;
    while (PGnotify* n = PQnotifies(c->pg)) PQfreemem(n);
  }
  return true;
}

}  // namespace bazaar::pg::detail
