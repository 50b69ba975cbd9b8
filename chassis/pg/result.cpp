#include "chassis/pg/result.hpp"

#include <libpq-fe.h>

#include <cstdlib>

namespace bazaar::pg {

Result::Result(pg_result* r) : res_(r, PQclear) {}

int Result::rows() const { return PQntuples(res_.get()); }

int Result::columns() const { return PQnfields(res_.get()); }

std::string_view Result::get(int row, int column) const {
  return {PQgetvalue(res_.get(), row, column),
          static_cast<std::size_t>(PQgetlength(res_.get(), row, column))};
}

bool Result::is_null(int row, int column) const {
  return PQgetisnull(res_.get(), row, column) != 0;
}

long long Result::affected_rows() const {
  const char* n = PQcmdTuples(res_.get());
  return (n == nullptr || *n == '\0') ? 0 : std::atoll(n);
}

std::string array_literal(const std::vector<std::string>& elements) {
  std::string array = "{";
  for (std::size_t i = 0; i < elements.size(); ++i) {
    if (i > 0) array += ',';
    array += elements[i];
  }
  array += '}';
  return array;
}

}  // namespace bazaar::pg
