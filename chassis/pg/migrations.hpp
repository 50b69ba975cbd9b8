#pragma once
// Schema migrations: NNNN_name.sql files compiled into the binary (cmake: bazaar_embed_sql),
// applied once each, in order, under a PostgreSQL advisory lock so that replicas starting
// together apply them exactly once.
#include <chrono>
#include <string>
#include <vector>

namespace bazaar::pg {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

// Defined by the file that bazaar_embed_sql generates for a service.
const std::vector<Migration>& embedded_migrations();

// Blocking, for start-up. Retries the first connection until `wait_for_server` has passed
// (the database may start after us), then applies what is missing. Throws on failure.
// `table` records what was applied; a chassis component with a schema of its own (the
// events outbox and inbox) keeps its own table so its versions never clash with the service's.
void migrate(const std::string& conninfo, const std::vector<Migration>& migrations,
             const std::string& lock_name, std::chrono::milliseconds wait_for_server,
             const std::string& table = "schema_migrations");

}  // namespace bazaar::pg
