#include "chassis/events/transactional.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <vector>

#include "chassis/events/batch.hpp"

namespace bazaar::events {
namespace asio = boost::asio;

namespace {
using Shared = std::shared_ptr<const TransactionalHandler>;
using Clock = std::chrono::steady_clock;

// Parameters by value, and free functions rather than capturing lambdas: g++ 12's coroutines.
Task<void> one_in_transaction(pg::Pool* pool, Shared handler, Event event) {
  auto tx = co_await pool->begin();
  AfterCommit after = co_await (*handler)(&tx, std::move(event));
  co_await tx.commit();
  if (after) after();
}

// One event of a batch: what its handler left to do after the commit.
struct Slot {
  Event event;
  AfterCommit after;
};

// One key's events of a wave, one after another: a key's events keep their order.
Task<void> chain_in_transaction(pg::Transaction* tx, Shared handler, std::vector<Slot*> chain) {
  for (Slot* s : chain) s->after = co_await (*handler)(tx, std::move(s->event));
}

// Handles slots[first, last) side by side, one chain per key, sharing `tx` (it sends their
// statements in turn); returns once every chain has ended. Throws the first failure, after
// all of them ended, since they all use `tx`.
Task<void> wave_in_transaction(pg::Transaction* tx, Shared handler, std::vector<Slot>* slots,
                               std::size_t first, std::size_t last) {
  std::vector<Delivered> keys;
  for (std::size_t i = first; i < last; ++i) keys.push_back({{}, 0, 0, (*slots)[i].event.key});
  struct Wave {
    std::size_t left = 0;
    std::exception_ptr failure;
    std::unique_ptr<asio::steady_timer> all_done;
  };
  auto executor = co_await asio::this_coro::executor;
  auto wave = std::make_shared<Wave>();
  wave->all_done = std::make_unique<asio::steady_timer>(executor, Clock::time_point::max());
  auto chains = chains_by_key(keys);
  wave->left = chains.size();
  for (const auto& indices : chains) {
    std::vector<Slot*> chain;
    for (auto i : indices) chain.push_back(&(*slots)[first + i]);
    asio::co_spawn(executor, chain_in_transaction(tx, handler, std::move(chain)),
                   [wave](std::exception_ptr e) {
                     if (e && !wave->failure) wave->failure = e;
                     if (--wave->left == 0) wave->all_done->cancel();
                   });
  }
  if (wave->left > 0) co_await wave->all_done->async_wait(asio::as_tuple(asio::use_awaitable));
  if (wave->failure) std::rethrow_exception(wave->failure);
}

// Takes events from the front, a wave of up to `side_by_side` at a time, until a wave was
// slow or the transaction has been open for the budget (at least one wave); returns how many
// it committed.
Task<std::size_t> front_in_transaction(pg::Pool* pool, Shared handler, BatchLimits limits,
                                       std::vector<Event> events) {
  std::vector<Slot> slots;
  slots.reserve(events.size());
  for (auto& e : events) slots.push_back({std::move(e), {}});
  auto tx = co_await pool->begin();
  auto start = Clock::now();
  std::size_t taken = 0;
  while (taken < slots.size()) {
    auto began = Clock::now();
    std::size_t last =
        std::min(slots.size(), taken + std::max<std::size_t>(limits.side_by_side, 1));
    co_await wave_in_transaction(&tx, handler, &slots, taken, last);
    taken = last;
    auto now = Clock::now();
    if (now - began >= limits.slow_event || now - start >= limits.budget) break;
  }
  co_await tx.commit();
  for (std::size_t i = 0; i < taken; ++i)
    if (slots[i].after) slots[i].after();
  co_return taken;
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
