#include "services/order/order_repository.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>

#include "chassis/events/outbox.hpp"

namespace bazaar::order {
namespace json = boost::json;

namespace {
// Column lists shared by every SELECT of a whole order, so that row_at reads them all alike.
#define ORDER_COLUMNS                                                               \
  "o.id, o.user_id, o.status, o.total_cents, o.currency,"                           \
  " to_char(o.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')," \
  " (SELECT json_agg(json_build_object('sku', i.sku, 'quantity', i.quantity,"       \
  " 'unit_price_cents', i.unit_price_cents) ORDER BY i.line)"                       \
  " FROM order_items i WHERE i.order_id = o.id)"

constexpr pg::Statement kById{"order_by_id",
                              "SELECT " ORDER_COLUMNS " FROM orders o WHERE o.id = $1"};
constexpr pg::Statement kByUserFirst{"order_by_user_first",
                                     "SELECT " ORDER_COLUMNS
                                     " FROM orders o WHERE o.user_id = $1 ORDER BY o.id LIMIT $2"};
constexpr pg::Statement kByUserAfter{"order_by_user_after",
                                     "SELECT " ORDER_COLUMNS
                                     " FROM orders o WHERE o.user_id = $1 AND o.id > $2"
                                     " ORDER BY o.id LIMIT $3"};
#undef ORDER_COLUMNS

constexpr pg::Statement kKey{"idempotency_key_by_key",
                             "SELECT key, request_hash, order_id FROM idempotency_keys"
                             " WHERE key = $1"};
// Waits for a concurrent transaction holding the same key; inserts nothing if it commits.
constexpr pg::Statement kClaimKey{"idempotency_key_claim",
                                  "INSERT INTO idempotency_keys (key, request_hash, order_id)"
                                  " VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING"};
// The order and its items as the CTEs o and i, written once for the two inserts below.
#define ORDER_AND_ITEMS                                                              \
  "WITH o AS (INSERT INTO orders (id, user_id, status, total_cents, currency)"       \
  "           VALUES ($1, $2, $3, $4, $5) RETURNING created_at),"                    \
  " i AS (INSERT INTO order_items (order_id, line, sku, quantity, unit_price_cents)" \
  "       SELECT $1, t.line, t.sku, t.quantity, t.unit_price_cents"                  \
  "       FROM ROWS FROM (jsonb_to_recordset($6::jsonb)"                             \
  "            AS (sku text, quantity integer, unit_price_cents bigint))"            \
  "       WITH ORDINALITY AS t(sku, quantity, unit_price_cents, line))"
#define CREATED_AT_OF_O \
  " SELECT to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') FROM o"
// The order and its items in one statement (one round trip, whatever the item count).
constexpr pg::Statement kInsert{"order_insert", ORDER_AND_ITEMS CREATED_AT_OF_O};
// The same and the order.created event's outbox row (the chassis' table, with the values of
// events::outbox_values) in one auto-commit statement: no transaction of its own, and its
// commit shared with the other statements of its pipeline batch.
constexpr pg::Statement kInsertWithEvent{
    "order_insert_with_event", ORDER_AND_ITEMS
    ","
    " e AS (" BAZAAR_OUTBOX_INSERT "       VALUES ($7, $8, $9, $10, $11::jsonb))" CREATED_AT_OF_O};
#undef ORDER_AND_ITEMS
#undef CREATED_AT_OF_O
// The inbox claim (the chassis' table, written as events::first_delivery writes it) and the
// order's lock in one statement. The CTE's insert runs whether or not a row comes back.
constexpr pg::Statement kArrive{
    "order_arrive",
    "WITH claim AS (INSERT INTO inbox (consumer, event_id) VALUES ($1, $2)"
    "               ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT o.id, o.user_id, o.status, o.total_cents, o.currency,"
    " EXISTS (SELECT 1 FROM claim) FROM orders o WHERE o.id = $3 FOR UPDATE OF o"};
// The order row is locked already (kArrive's FOR UPDATE): the update always applies.
constexpr pg::Statement kSetStatus{
    "order_set_status_with_event",
    "WITH u AS (UPDATE orders SET status = $2, updated_at = now() WHERE id = $1)"
    " " BAZAAR_OUTBOX_INSERT " VALUES ($3, $4, $5, $6, $7::jsonb)"};

long long to_integer(std::string_view text) {
  long long v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

OrderRow head_at(const pg::Result& r, int i) {
  OrderRow o;
  o.id = r.get(i, 0);
  o.user_id = r.get(i, 1);
  o.status = parse_status(r.get(i, 2)).value_or(kInitialStatus);
  o.total_cents = to_integer(r.get(i, 3));
  o.currency = r.get(i, 4);
  return o;
}

OrderRow row_at(const pg::Result& r, int i) {
  OrderRow o = head_at(r, i);
  o.created_at = r.get(i, 5);
  if (!r.is_null(i, 6)) {
    auto items = json::parse(r.get(i, 6));
    for (const auto& v : items.as_array()) {
      const auto& item = v.as_object();
      o.items.push_back({std::string(item.at("sku").as_string()), item.at("quantity").as_int64(),
                         item.at("unit_price_cents").as_int64()});
    }
  }
  return o;
}

std::vector<OrderRow> rows_of(const pg::Result& r) {
  std::vector<OrderRow> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(row_at(r, i));
  return out;
}

std::string items_json(const std::vector<LineItem>& items) {
  json::array a;
  for (const auto& i : items)
    a.push_back(json::object{
        {"sku", i.sku}, {"quantity", i.quantity}, {"unit_price_cents", i.unit_price_cents}});
  return json::serialize(a);
}
}  // namespace

pg::Task<std::optional<OrderRow>> OrderRepository::find(std::string id) {
  pg::Params params{std::move(id)};
  auto r = co_await pools_.local().query(kById, std::move(params));
  if (r.rows() == 0) co_return std::nullopt;
  co_return row_at(r, 0);
}

pg::Task<std::vector<OrderRow>> OrderRepository::list_by_user(std::string user_id,
                                                              std::string after, int limit) {
  pg::Params params{std::move(user_id)};
  if (!after.empty()) params.push_back(std::move(after));
  params.push_back(std::to_string(limit));
  auto r = co_await pools_.local().query(params.size() == 2 ? kByUserFirst : kByUserAfter,
                                         std::move(params));
  co_return rows_of(r);
}

pg::Task<std::optional<KeyRecord>> OrderRepository::find_key(std::string key) {
  pg::Params params{std::move(key)};
  auto r = co_await pools_.local().query(kKey, std::move(params));
  if (r.rows() == 0) co_return std::nullopt;
  co_return KeyRecord{std::string(r.get(0, 0)), std::string(r.get(0, 1)), std::string(r.get(0, 2))};
}

namespace {
// $1–$6 of kInsert and kInsertWithEvent.
pg::Params insert_params(const OrderRow& order) {
  return {order.id,
          order.user_id,
          std::string(to_string(order.status)),
          std::to_string(order.total_cents),
          order.currency,
          items_json(order.items)};
}
}  // namespace

pg::Task<std::variant<OrderRow, KeyRecord>> OrderRepository::create(OrderRow order,
                                                                    std::optional<KeyRecord> key,
                                                                    events::Event created) {
  auto& pool = pools_.local();
  // Without a key, and while this process relays the outbox: one auto-commit statement.
  // Otherwise a transaction, whose outbox row also NOTIFYs the relay elsewhere.
  if (!key && events::relays_in_process(pool.conninfo())) {
    pg::Params params = insert_params(order);
    for (auto& v : events::outbox_values(created)) params.push_back(std::move(v));
    auto inserted = co_await pool.query(kInsertWithEvent, std::move(params));
    events::outbox_written(pool.conninfo());
    order.created_at = inserted.get(0, 0);
    co_return order;
  }
  auto tx = co_await pool.begin();
  if (key) {
    pg::Params claim{key->key, key->request_hash, order.id};
    auto claimed = co_await tx.exec(kClaimKey, std::move(claim));
    if (claimed.affected_rows() == 0) {
      // Another request holds the key and has committed (the INSERT waited for it):
      // answer with its order, write nothing. Read Committed lets this statement see it.
      pg::Params params{key->key};
      auto r = co_await tx.exec(kKey, std::move(params));
      co_await tx.commit();
      if (r.rows() == 0) throw std::runtime_error("idempotency key vanished: " + key->key);
      co_return KeyRecord{std::string(r.get(0, 0)), std::string(r.get(0, 1)),
                          std::string(r.get(0, 2))};
    }
  }
  pg::Params params = insert_params(order);
  // The event first (deferred), then the order and COMMIT: one round trip for all three.
  co_await events::add_to_outbox(&tx, std::move(created));
  auto inserted = co_await tx.exec_and_commit(kInsert, std::move(params));
  order.created_at = inserted.get(0, 0);
  co_return order;
}

pg::Task<OrderRepository::Arrival> OrderRepository::arrive(pg::Transaction* tx,
                                                           std::string consumer,
                                                           std::string event_id, std::string id) {
  pg::Params params{std::move(consumer), std::move(event_id), std::move(id)};
  auto r = co_await tx->exec(kArrive, std::move(params));
  Arrival a;
  if (r.rows() == 0) co_return a;
  a.order = head_at(r, 0);
  a.first = r.get(0, 5) == "t";
  co_return a;
}

pg::Task<void> OrderRepository::set_status(pg::Transaction* tx, std::string id, OrderStatus status,
                                           events::Event announced) {
  // Deferred: it travels with the transaction's next statement or its COMMIT.
  pg::Params params{std::move(id), std::string(to_string(status))};
  for (auto& v : events::outbox_values(announced)) params.push_back(std::move(v));
  tx->defer(kSetStatus, std::move(params));
  events::outbox_rows_added(tx);
  co_return;
}

}  // namespace bazaar::order
