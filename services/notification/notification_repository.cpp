#include "services/notification/notification_repository.hpp"

#include <charconv>

namespace bazaar::notification {
namespace {
// The inbox claim and the insert in one auto-commit statement, which is one transaction: a
// redelivered event (its id already in the inbox) inserts nothing, and the inbox row commits
// only together with the notification. One round trip where BEGIN, claim, insert, COMMIT
// took four. The inbox is the chassis' table (events::first_delivery writes it the same way).
// The second ON CONFLICT covers (order_id, kind): one e-mail per order and moment, even for
// an event published twice under different ids (the claim covers the same id).
constexpr pg::Statement kRecord{
    "notification_record",
    "WITH claim AS (INSERT INTO inbox (consumer, event_id) VALUES ($9, $2)"
    "               ON CONFLICT DO NOTHING RETURNING 1)"
    " INSERT INTO notifications (id, event_id, order_id, user_id, kind, subject, body, traceparent,"
    "                            next_attempt_at)"
    " SELECT $1::uuid, $2, $3::uuid, $4::uuid, $5, $6, $7, $8,"
    "        now() + $10::bigint * interval '1 millisecond'"
    " FROM claim ON CONFLICT DO NOTHING"};
// SKIP LOCKED: concurrent senders (replicas) claim disjoint rows instead of waiting.
constexpr pg::Statement kClaimDue{
    "notification_claim_due",
    "UPDATE notifications n"
    " SET next_attempt_at = now() + $2::bigint * interval '1 millisecond'"
    " FROM (SELECT id FROM notifications WHERE status = 'PENDING' AND next_attempt_at <= now()"
    "       ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED) due"
    " WHERE n.id = due.id"
    " RETURNING n.id, n.order_id, n.user_id, n.kind, n.subject, n.body,"
    "           coalesce(n.traceparent, ''), n.attempts"};
// A delivered batch in one statement rather than one transaction per e-mail, read through the
// primary key whatever the table's size and backlog:
// - not prepared (no name): planned for each batch on the table as it is. A prepared
//   statement keeps the plan made when the table was new and tiny, a sequential scan, until
//   autovacuum analyzes the table: measured, 3 ms a batch at 25k rows (ADR 0013);
// - "not SENT or FAILED" rather than "PENDING" (the same rows, by the status CHECK): with
//   `status = 'PENDING'` the planner may read every pending row through notifications_due.
constexpr pg::Statement kMarkSent{
    nullptr,
    "UPDATE notifications SET status = 'SENT', attempts = attempts + 1, sent_at = now()"
    " WHERE id = ANY($1::uuid[]) AND status NOT IN ('SENT', 'FAILED')"};
constexpr pg::Statement kScheduleRetry{
    "notification_schedule_retry",
    "UPDATE notifications SET attempts = attempts + 1, last_error = $2,"
    " next_attempt_at = now() + $3::bigint * interval '1 millisecond'"
    " WHERE id = $1 AND status = 'PENDING'"};
constexpr pg::Statement kMarkFailed{
    "notification_mark_failed",
    "UPDATE notifications SET status = 'FAILED', attempts = attempts + 1, last_error = $2"
    " WHERE id = $1 AND status = 'PENDING'"};

constexpr pg::Statement kListByUser{
    "notification_list_by_user",
    "SELECT id, order_id, user_id, kind, status, attempts, last_error,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM notifications WHERE user_id = $1 ORDER BY created_at DESC, id LIMIT $2"};
constexpr pg::Statement kListByOrder{
    "notification_list_by_order",
    "SELECT id, order_id, user_id, kind, status, attempts, last_error,"
    " to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    " to_char(sent_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
    " FROM notifications WHERE user_id = $1 AND order_id = $3"
    " ORDER BY created_at DESC, id LIMIT $2"};

int to_int(std::string_view text) {
  int v = 0;
  std::from_chars(text.data(), text.data() + text.size(), v);
  return v;
}

std::optional<std::string> nullable(const pg::Result& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return std::string(r.get(row, column));
}
}  // namespace

pg::Task<bool> NotificationRepository::record(NewNotification n, std::string consumer,
                                              std::chrono::milliseconds claimed_for) {
  pg::Params params{std::move(n.id),      std::move(n.event_id),          std::move(n.order_id),
                    std::move(n.user_id), std::string(to_string(n.kind)), std::move(n.subject),
                    std::move(n.body)};
  params.push_back(n.traceparent.empty() ? pg::Param() : pg::Param(std::move(n.traceparent)));
  params.push_back(std::move(consumer));
  params.push_back(std::to_string(claimed_for.count()));
  auto r = co_await pools_.local().query(kRecord, std::move(params));
  co_return r.affected_rows() == 1;
}

pg::Task<std::vector<DueNotification>> NotificationRepository::claim_due(
    int limit, std::chrono::milliseconds lease) {
  pg::Params params{std::to_string(limit), std::to_string(lease.count())};
  auto r = co_await pools_.local().query(kClaimDue, std::move(params));
  std::vector<DueNotification> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    DueNotification d;
    d.id = r.get(i, 0);
    d.order_id = r.get(i, 1);
    d.user_id = r.get(i, 2);
    d.kind = r.get(i, 3);
    d.subject = r.get(i, 4);
    d.body = r.get(i, 5);
    d.traceparent = r.get(i, 6);
    d.attempts = to_int(r.get(i, 7));
    out.push_back(std::move(d));
  }
  co_return out;
}

pg::Task<void> NotificationRepository::mark_sent(std::vector<std::string> ids) {
  if (ids.empty()) co_return;
  pg::Params params{pg::array_literal(ids)};
  co_await pools_.local().query(kMarkSent, std::move(params));
}

pg::Task<void> NotificationRepository::schedule_retry(std::string id, std::string error,
                                                      std::chrono::milliseconds delay) {
  pg::Params params{std::move(id), std::move(error), std::to_string(delay.count())};
  co_await pools_.local().query(kScheduleRetry, std::move(params));
}

pg::Task<void> NotificationRepository::mark_failed(std::string id, std::string error) {
  pg::Params params{std::move(id), std::move(error)};
  co_await pools_.local().query(kMarkFailed, std::move(params));
}

pg::Task<std::vector<NotificationView>> NotificationRepository::list(std::string user_id,
                                                                     std::string order_id,
                                                                     int limit) {
  bool by_order = !order_id.empty();
  pg::Params params{std::move(user_id), std::to_string(limit)};
  if (by_order) params.push_back(std::move(order_id));
  const pg::Statement& statement = by_order ? kListByOrder : kListByUser;
  auto r = co_await pools_.local().query(statement, std::move(params));
  std::vector<NotificationView> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) {
    NotificationView v;
    v.id = r.get(i, 0);
    v.order_id = r.get(i, 1);
    v.user_id = r.get(i, 2);
    v.kind = r.get(i, 3);
    v.status = r.get(i, 4);
    v.attempts = to_int(r.get(i, 5));
    v.last_error = nullable(r, i, 6);
    v.created_at = r.get(i, 7);
    v.sent_at = nullable(r, i, 8);
    out.push_back(std::move(v));
  }
  co_return out;
}

}  // namespace bazaar::notification
