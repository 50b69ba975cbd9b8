#include "chassis/http/paging.hpp"

#include <stdexcept>

#include "chassis/core/ids.hpp"

namespace bazaar::http {

std::variant<PageQuery, Response> page_query(const Request& req) {
  PageQuery q{kDefaultPageSize, {}};
  if (auto l = req.query_param("limit")) {
    try {
      std::size_t used = 0;
      q.limit = std::stoi(*l, &used);
      if (used != l->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      q.limit = -1;
    }
    if (q.limit < 1 || q.limit > kMaxPageSize)
      return problem(400, "limit must be an integer from 1 to " + std::to_string(kMaxPageSize));
  }
  q.cursor = req.query_param("cursor").value_or("");
  if (!q.cursor.empty() && !ids::is_uuid(q.cursor))
    return problem(400, "cursor must be a next_cursor value from a previous page");
  return q;
}

}  // namespace bazaar::http
