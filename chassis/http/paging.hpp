#pragma once
// Cursor pagination's query parameters (`limit`, `cursor`), read the same way by every list
// endpoint: the cursor is the last id of the previous page.
#include <string>
#include <variant>

#include "chassis/http/message.hpp"

namespace bazaar::http {

struct PageQuery {
  int limit;
  std::string cursor;  // empty for the first page
};

inline constexpr int kDefaultPageSize = 20;
inline constexpr int kMaxPageSize = 100;

// The page asked for, or the 400 explaining what is wrong with `limit` or `cursor`.
std::variant<PageQuery, Response> page_query(const Request& req);

}  // namespace bazaar::http
