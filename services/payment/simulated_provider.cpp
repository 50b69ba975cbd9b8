#include "services/payment/simulated_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "chassis/core/log.hpp"
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::payment {
namespace asio = boost::asio;

namespace {
// Records the decision unless the key was charged before, and returns what is on record
// either way: the inserted row, or the earlier one. One statement in auto-commit, so the
// ledger row is committed before the caller hears the answer.
constexpr pg::Statement kRecord{
    "provider_charge_record",
    "WITH fresh AS ("
    " INSERT INTO provider_charges (idempotency_key, outcome, reason, amount_cents, currency)"
    " VALUES ($1, $2, $3, $4, $5) ON CONFLICT (idempotency_key) DO NOTHING"
    " RETURNING outcome, reason, true AS fresh)"
    " SELECT outcome, reason, fresh FROM fresh"
    " UNION ALL"
    " SELECT outcome, reason, false FROM provider_charges WHERE idempotency_key = $1"
    " LIMIT 1"};
// For the race where another caller inserted the key after our statement's snapshot.
constexpr pg::Statement kFind{
    "provider_charge_find",
    "SELECT outcome, reason, false FROM provider_charges WHERE idempotency_key = $1"};

telemetry::Counter& calls(std::string_view outcome) {
  return telemetry::default_registry().counter(
      "payment_provider_calls_total",
      "Calls to the simulated payment provider by answer; replayed: a key charged before",
      {{"outcome", std::string(outcome)}});
}

// Waits on a timer: the worker's loop keeps serving meanwhile.
Task<void> pause(std::chrono::milliseconds d) {
  if (d.count() <= 0) co_return;
  asio::steady_timer t(co_await asio::this_coro::executor, d);
  co_await t.async_wait(asio::as_tuple(asio::use_awaitable));
}

ChargeOutcome outcome_of(const pg::Result& r) {
  if (r.get(0, 0) == "approved") return ChargeOutcome::approved();
  return ChargeOutcome::declined(std::string(r.get(0, 1)));
}
}  // namespace

SimulatedProvider::SimulatedProvider(SimulatedRules rules, PerWorker<pg::Pool>& pools,
                                     std::uint64_t seed)
    : rules_(std::move(rules)), pools_(pools), dice_(seed) {}

Task<ChargeOutcome> SimulatedProvider::charge(ChargeRequest request) {
  // A call takes PAYMENT_LATENCY in all: half for the request on its way, half for the answer
  // on its way back, so a crash of the caller can land before or after the charge.
  auto there = rules_.latency / 2;
  auto back = rules_.latency - there;
  co_await pause(there);
  if (fails(rules_, dice_.next())) {
    static auto& unavailable = calls("unavailable");
    unavailable.inc();
    co_await pause(back);
    co_return ChargeOutcome::unavailable(kReasonUnavailable);
  }
  ChargeOutcome decided = decide(rules_, request.amount_cents, request.currency);
  pg::Param reason;
  if (decided.kind == ChargeOutcome::Kind::declined) reason = decided.reason;
  pg::Params params{request.idempotency_key, std::string(to_string(decided.kind)), reason,
                    std::to_string(request.amount_cents), request.currency};
  auto& pool = pools_.local();
  auto r = co_await pool.query(kRecord, std::move(params));
  if (r.rows() == 0) {
    pg::Params key{request.idempotency_key};
    r = co_await pool.query(kFind, std::move(key));
  }
  if (r.rows() == 0) throw pg::PgError(pg::PgError::Kind::query, "provider ledger row vanished");
  ChargeOutcome recorded = outcome_of(r);
  bool fresh = r.get(0, 2) == "t";
  if (!fresh) {
    log::info(
        "provider: key charged before, answering as then",
        {{"idempotency_key", request.idempotency_key}, {"outcome", to_string(recorded.kind)}});
  }
  calls(fresh ? to_string(recorded.kind) : "replayed").inc();
  co_await pause(back);
  co_return recorded;
}

}  // namespace bazaar::payment
