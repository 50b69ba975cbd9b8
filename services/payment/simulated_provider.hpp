#pragma once
// The simulated payment provider: decides by the rules of domain/provider.hpp, takes
// PAYMENT_LATENCY on a timer (the event loop keeps running), and keeps a ledger of what it
// answered per idempotency key in the provider_charges table, written in a transaction of
// its own before it answers. A key it has answered before gets the recorded outcome back,
// never a second charge, as a real provider's idempotency keys work.
#include <cstdint>

#include "chassis/core/runtime.hpp"
#include "chassis/pg/pool.hpp"
#include "services/payment/domain/provider.hpp"

namespace bazaar::payment {

class SimulatedProvider : public PaymentProvider {
 public:
  SimulatedProvider(SimulatedRules rules, PerWorker<pg::Pool>& pools, std::uint64_t seed);
  Task<ChargeOutcome> charge(ChargeRequest request) override;

  const SimulatedRules& rules() const { return rules_; }

 private:
  SimulatedRules rules_;
  PerWorker<pg::Pool>& pools_;
  Dice dice_;
};

}  // namespace bazaar::payment
