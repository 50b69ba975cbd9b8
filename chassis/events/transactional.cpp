#include "chassis/events/transactional.hpp"

#include <vector>

namespace bazaar::events {
namespace {
using Shared = std::shared_ptr<const TransactionalHandler>;

// Parameters by value, and free functions rather than capturing lambdas: g++ 12's coroutines.
Task<void> one_in_transaction(pg::Pool* pool, Shared handler, Event event) {
  auto tx = co_await pool->begin();
  AfterCommit after = co_await (*handler)(&tx, std::move(event));
  co_await tx.commit();
  if (after) after();
}

// Takes events from the front until one was slow or the transaction has been open for the
// budget (at least one); returns how many it committed.
Task<std::size_t> front_in_transaction(pg::Pool* pool, Shared handler, BatchLimits limits,
                                       std::vector<Event> events) {
  auto tx = co_await pool->begin();
  auto start = std::chrono::steady_clock::now();
  std::vector<AfterCommit> after;
  after.reserve(events.size());
  // In delivery order, one after another: one connection runs one statement at a time, and
  // a key's events keep their order.
  for (auto& e : events) {
    auto began = std::chrono::steady_clock::now();
    after.push_back(co_await (*handler)(&tx, std::move(e)));
    auto now = std::chrono::steady_clock::now();
    if (now - began >= limits.slow_event || now - start >= limits.budget) break;
  }
  co_await tx.commit();
  for (auto& a : after)
    if (a) a();
  co_return after.size();
}
}  // namespace

ConsumerHandlers in_transactions(pg::Pool& pool, TransactionalHandler handler, BatchLimits limits) {
  auto shared = std::make_shared<const TransactionalHandler>(std::move(handler));
  pg::Pool* p = &pool;
  return {[p, shared](Event e) { return one_in_transaction(p, shared, std::move(e)); },
          [p, shared, limits](std::vector<Event> events) {
            return front_in_transaction(p, shared, limits, std::move(events));
          }};
}

}  // namespace bazaar::events
