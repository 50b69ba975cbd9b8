#pragma once
// Where request counts live. Local memory and Redis implement it; the callback shape lets the
// Redis one answer later from its I/O thread while the local one answers at once.
//
// Counting differs from Kong in one way that clients cannot see: Kong reads the counters,
// decides, and increments afterwards in a timer (handler.lua, policies/init.lua), so two
// concurrent requests may both read "one left" and both pass. We add first and decide on the
// returned totals, which cannot overshoot. For the client it is the same: the Nth request
// with N <= limit passes, request limit+1 is refused, remaining counts down to 0.
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/rate_limiting/period.hpp"

namespace bazaar::gateway::rate_limiting {

// One period's count, this request included, next to the limit it is checked against.
struct Usage {
  Period period;
  std::int64_t limit;
  std::int64_t current;
};

// Views are valid only during the call to CounterStore::add; an asynchronous store copies
// what it keeps.
struct CountQuery {
  std::string_view subject;         // counter_subject(scope, identifier)
  std::span<const Period> periods;  // the configured ones
  Seconds now;
  std::int64_t delta = 1;  // -1 takes back a refused request
};

struct CountResult {
  std::vector<std::int64_t> counts;  // per period of the query, in its order, after adding
  std::optional<std::string> error;  // set when the store could not be reached
};

using CountCallback = std::function<void(CountResult)>;

class CounterStore {
 public:
  virtual ~CounterStore() = default;

  // Adds delta to the counter of the window holding `now` for every period, atomically per
  // counter, and reports the totals. `done` runs exactly once, possibly before add returns.
  virtual void add(const CountQuery& query, CountCallback done) = 0;

  // Stores that count in this process answer here as well, without a callback: add() that
  // writes the totals into `counts` (one per period of the query) and returns true. Stores
  // that must wait for an answer return false and count nothing.
  virtual bool add_inline(const CountQuery& query, std::span<std::int64_t> counts) {
    (void)query;
    (void)counts;
    return false;
  }

  // Whether refused requests stay counted. Kong's local policy counts only admitted
  // requests; its redis policy increments while reading (policies/init.lua `usage`), so
  // refused requests count there too. A store answering false gets the refused request's
  // increment taken back with delta -1.
  virtual bool counts_refused_requests() const = 0;
};

}  // namespace bazaar::gateway::rate_limiting
