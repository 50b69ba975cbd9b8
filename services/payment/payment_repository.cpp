#include "services/payment/payment_repository.hpp"

#include "chassis/events/outbox.hpp"

namespace bazaar::payment {
namespace {
constexpr pg::Statement kFind{
    "payment_find",
    "SELECT order_id, payment_id, user_id, amount_cents, currency, status, reason"
    " FROM payments WHERE order_id = $1"};
// The inbox claim (the chassis' table, written as events::first_delivery writes it) and the
// check for an earlier payment in one statement: a round trip less per event.
constexpr pg::Statement kArrive{
    "payment_arrive",
    "WITH claim AS (INSERT INTO inbox (consumer, event_id) VALUES ($1, $2)"
    "               ON CONFLICT DO NOTHING RETURNING 1)"
    " SELECT EXISTS (SELECT 1 FROM claim), EXISTS (SELECT 1 FROM payments WHERE order_id = $3)"};
// The outbox row only with the payment: none when another replica paid the order first.
constexpr pg::Statement kInsert{
    "payment_insert_with_event",
    "WITH p AS (INSERT INTO payments"
    "             (order_id, payment_id, user_id, amount_cents, currency, status, reason)"
    "           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING RETURNING 1),"
    " e AS (" BAZAAR_OUTBOX_INSERT
    "       SELECT $8, $9, $10, $11, $12::jsonb FROM p)"
    " SELECT count(*) FROM p"};
}  // namespace

pg::Task<std::optional<PaymentRow>> PaymentRepository::find(std::string order_id) {
  pg::Params params{std::move(order_id)};
  auto r = co_await pools_.local().query(kFind, std::move(params));
  if (r.rows() == 0) co_return std::nullopt;
  PaymentRow p;
  p.order_id = r.get(0, 0);
  p.payment_id = r.get(0, 1);
  p.user_id = r.get(0, 2);
  p.amount_cents = std::stoll(std::string(r.get(0, 3)));
  p.currency = r.get(0, 4);
  p.status = parse_status(r.get(0, 5)).value_or(Status::failed);
  p.reason = r.get(0, 6);
  co_return p;
}

pg::Task<PaymentRepository::Arrival> PaymentRepository::arrive(pg::Transaction* tx,
                                                               std::string consumer,
                                                               std::string event_id,
                                                               std::string order_id) {
  pg::Params params{std::move(consumer), std::move(event_id), std::move(order_id)};
  auto r = co_await tx->exec(kArrive, std::move(params));
  Arrival a;
  a.first = r.get(0, 0) == "t";
  a.paid = r.get(0, 1) == "t";
  co_return a;
}

pg::Task<bool> PaymentRepository::insert(pg::Transaction* tx, PaymentRow row,
                                         events::Event announced) {
  pg::Param reason;
  if (row.status == Status::failed) reason = row.reason;
  pg::Params params{row.order_id, row.payment_id,
                    row.user_id,  std::to_string(row.amount_cents),
                    row.currency, std::string(to_string(row.status)),
                    reason};
  for (auto& v : events::outbox_values(announced)) params.push_back(std::move(v));
  auto r = co_await tx->exec(kInsert, std::move(params));
  const bool inserted = r.get(0, 0) == "1";
  if (inserted) events::outbox_rows_added(tx);
  co_return inserted;
}

}  // namespace bazaar::payment
