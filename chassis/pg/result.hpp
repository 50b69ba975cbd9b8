#pragma once
// Query results and errors. libpq's types stay in the .cpp files.
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "chassis/core/errors.hpp"

struct pg_result;

namespace bazaar::pg {

struct PgError : Failure {
  enum class Kind {
    unavailable,  // cannot connect, or the connection died: retry later, answer 503
    timeout,      // the query or the wait for a pooled connection took too long
    query         // the server refused the statement; see sqlstate
  };
  PgError(Kind k, const std::string& what, std::string state = {})
      : Failure(what), kind(k), sqlstate(std::move(state)) {}
  bool transient() const override { return kind != Kind::query; }
  Kind kind;
  std::string sqlstate;  // "23505" and friends, for Kind::query
};

inline constexpr std::string_view kUniqueViolation = "23505";

class Result {
 public:
  Result() = default;  // no rows
  explicit Result(pg_result* r);
  int rows() const;
  int columns() const;
  // Text format value; empty for NULL.
  std::string_view get(int row, int column) const;
  bool is_null(int row, int column) const;
  long long affected_rows() const;

 private:
  std::shared_ptr<pg_result> res_;
};

// A statement prepared once per connection, on its first use there. Both strings are
// literals that outlive every pool.
struct Statement {
  const char* name;
  const char* sql;
};

using Param = std::optional<std::string>;  // nullopt is SQL NULL
using Params = std::vector<Param>;

// The text form of an array parameter, "{a,b,c}", for `= ANY($1::uuid[])` and the like.
// The elements must need no quoting (numbers, uuids).
std::string array_literal(const std::vector<std::string>& elements);

}  // namespace bazaar::pg
