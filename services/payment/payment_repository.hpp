#pragma once
// The payments table. Reads run on the calling worker's pool; writes run inside the event
// handler's transaction.
#include <optional>
#include <string>

#include "chassis/core/runtime.hpp"
#include "chassis/events/envelope.hpp"
#include "chassis/pg/pool.hpp"
#include "services/payment/domain/payment.hpp"

namespace bazaar::payment {

struct PaymentRow {
  std::string order_id;
  std::string payment_id;
  std::string user_id;
  long long amount_cents = 0;
  std::string currency;
  Status status = Status::failed;
  std::string reason;  // FAILED only
};

class PaymentRepository {
 public:
  explicit PaymentRepository(PerWorker<pg::Pool>& pools) : pools_(pools) {}

  PerWorker<pg::Pool>& pools() { return pools_; }
  pg::Task<std::optional<PaymentRow>> find(std::string order_id);

  // Inside `tx`, in one round trip: events::first_delivery(consumer, event_id) — records the
  // event in the inbox, `first` false for a redelivery — and whether the order already has a
  // payment.
  struct Arrival {
    bool first = false;
    bool paid = false;
  };
  static pg::Task<Arrival> arrive(pg::Transaction* tx, std::string consumer, std::string event_id,
                                  std::string order_id);
  // Inside `tx`, in one statement: the payment and the event that announces it. False when
  // the order got a payment in the meantime (then nothing changed).
  static pg::Task<bool> insert(pg::Transaction* tx, PaymentRow row, events::Event announced);

 private:
  PerWorker<pg::Pool>& pools_;
};

}  // namespace bazaar::payment
