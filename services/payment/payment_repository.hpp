#pragma once
// The payments table. Reads run on the calling worker's pool; writes run inside the event
// handler's transaction.
#include <optional>
#include <string>

#include "chassis/core/runtime.hpp"
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

  // Inside `tx`: whether the order already has a payment.
  static pg::Task<bool> exists(pg::Transaction* tx, std::string order_id);
  // Inside `tx`: false when the order got a payment in the meantime (then nothing changed).
  static pg::Task<bool> insert(pg::Transaction* tx, PaymentRow row);

 private:
  PerWorker<pg::Pool>& pools_;
};

}  // namespace bazaar::payment
