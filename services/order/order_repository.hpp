#pragma once
// The orders, order_items and idempotency_keys tables. Every call runs on the calling
// worker's own pool.
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "chassis/core/runtime.hpp"
#include "chassis/events/envelope.hpp"
#include "chassis/pg/pool.hpp"
#include "services/order/domain/order.hpp"
#include "services/order/domain/order_events.hpp"

namespace bazaar::order {

struct OrderRow {
  std::string id;
  std::string user_id;
  OrderStatus status = kInitialStatus;
  long long total_cents = 0;
  std::string currency;
  std::string created_at;  // RFC 3339 UTC, milliseconds
  std::vector<LineItem> items;

  OrderFacts facts() const { return {id, user_id, total_cents, currency}; }
};

// An Idempotency-Key and the request it was first used with.
struct KeyRecord {
  std::string key;
  std::string request_hash;
  std::string order_id;  // empty until an order holds the key
};

class OrderRepository {
 public:
  explicit OrderRepository(PerWorker<pg::Pool>& pools) : pools_(pools) {}

  pg::Task<std::optional<OrderRow>> find(std::string id);
  // `user_id`'s orders with id > after (all when empty), ordered by id; at most `limit`.
  pg::Task<std::vector<OrderRow>> list_by_user(std::string user_id, std::string after, int limit);
  pg::Task<std::optional<KeyRecord>> find_key(std::string key);

  // Writes the order, its items, the `created` event and, when given, the Idempotency-Key
  // in one transaction. Returns the stored order (created_at filled in) or, when another
  // request already holds the key, that request's record and no write at all.
  pg::Task<std::variant<OrderRow, KeyRecord>> create(OrderRow order, std::optional<KeyRecord> key,
                                                     events::Event created);

  // The order, locked until `tx` ends (items left empty), and events::first_delivery(consumer,
  // event_id), in one round trip: `first` is false for a redelivered event. Without an order
  // (unknown id) `first` means nothing: the caller drops `tx`, which takes the inbox entry back.
  struct Arrival {
    bool first = false;
    std::optional<OrderRow> order;
  };
  static pg::Task<Arrival> arrive(pg::Transaction* tx, std::string consumer, std::string event_id,
                                  std::string id);
  // The new status and the event that announces it, in one statement written with the
  // transaction's next statement or its commit (Transaction::defer).
  static pg::Task<void> set_status(pg::Transaction* tx, std::string id, OrderStatus status,
                                   events::Event announced);

 private:
  PerWorker<pg::Pool>& pools_;
};

}  // namespace bazaar::order
