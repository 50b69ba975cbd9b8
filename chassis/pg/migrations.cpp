#include "chassis/pg/migrations.hpp"

#include <libpq-fe.h>

#include <memory>
#include <set>
#include <stdexcept>
#include <thread>

#include "chassis/core/log.hpp"

namespace bazaar::pg {
namespace {
using ConnPtr = std::unique_ptr<PGconn, decltype(&PQfinish)>;

std::string trimmed_error(PGconn* c) {
  std::string m = PQerrorMessage(c);
  while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) m.pop_back();
  return m;
}

void exec(PGconn* c, const std::string& sql, const std::string& what) {
  std::unique_ptr<PGresult, decltype(&PQclear)> r(PQexec(c, sql.c_str()), PQclear);
  auto st = PQresultStatus(r.get());
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
    std::string msg = PQresultErrorMessage(r.get());
    while (!msg.empty() && msg.back() == '\n') msg.pop_back();
    throw std::runtime_error("migrations: " + what + ": " + msg);
  }
}

// 64-bit FNV-1a of the lock name: the advisory lock key shared by every replica.
long long lock_key(const std::string& name) {
  unsigned long long h = 1469598103934665603ULL;
  for (unsigned char ch : name) h = (h ^ ch) * 1099511628211ULL;
  return static_cast<long long>(h);
}

ConnPtr connect_with_wait(const std::string& conninfo, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  for (int attempt = 1;; ++attempt) {
    ConnPtr c(PQconnectdb(conninfo.c_str()), PQfinish);
    if (c && PQstatus(c.get()) == CONNECTION_OK) return c;
    std::string why = c ? trimmed_error(c.get()) : "out of memory";
    if (std::chrono::steady_clock::now() >= deadline)
      throw std::runtime_error("database unreachable: " + why);
    if (attempt == 1) log::warn("waiting for the database", {{"error", why}});
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}
}  // namespace

void migrate(const std::string& conninfo, const std::vector<Migration>& migrations,
             const std::string& lock_name, std::chrono::milliseconds wait_for_server,
             const std::string& table) {
  ConnPtr c = connect_with_wait(conninfo, wait_for_server);
  PQsetNoticeProcessor(
      c.get(), [](void*, const char*) {}, nullptr);
  std::string key = std::to_string(lock_key(lock_name));
  exec(c.get(), "SELECT pg_advisory_lock(" + key + ")", "taking the migration lock");
  try {
    exec(c.get(),
         "CREATE TABLE IF NOT EXISTS " + table +
             " ("
             "version integer PRIMARY KEY, name text NOT NULL,"
             " applied_at timestamptz NOT NULL DEFAULT now())",
         "creating " + table);
    std::set<int> applied;
    {
      std::unique_ptr<PGresult, decltype(&PQclear)> r(
          PQexec(c.get(), ("SELECT version FROM " + table).c_str()), PQclear);
      if (PQresultStatus(r.get()) != PGRES_TUPLES_OK)
        throw std::runtime_error("migrations: reading " + table + ": " +
                                 std::string(PQresultErrorMessage(r.get())));
      for (int i = 0; i < PQntuples(r.get()); ++i)
        applied.insert(std::atoi(PQgetvalue(r.get(), i, 0)));
    }
    for (const auto& m : migrations) {
      if (applied.contains(m.version)) continue;
      std::string label = std::to_string(m.version) + "_" + m.name;
      exec(c.get(), "BEGIN", label);
      try {
        exec(c.get(), m.sql, label);
        const char* params[2] = {nullptr, m.name};
        std::string v = std::to_string(m.version);
        params[0] = v.c_str();
        std::unique_ptr<PGresult, decltype(&PQclear)> r(
            PQexecParams(c.get(),
                         ("INSERT INTO " + table + "(version, name) VALUES ($1, $2)").c_str(), 2,
                         nullptr, params, nullptr, nullptr, 0),
            PQclear);
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
          throw std::runtime_error("migrations: recording " + label + ": " +
                                   PQresultErrorMessage(r.get()));
        exec(c.get(), "COMMIT", label);
      } catch (...) {
        PQclear(PQexec(c.get(), "ROLLBACK"));
        throw;
      }
      log::info("migration applied", {{"version", m.version}, {"name", m.name}});
    }
  } catch (...) {
    PQclear(PQexec(c.get(), ("SELECT pg_advisory_unlock(" + key + ")").c_str()));
    throw;
  }
  exec(c.get(), "SELECT pg_advisory_unlock(" + key + ")", "releasing the migration lock");
}

}  // namespace bazaar::pg
