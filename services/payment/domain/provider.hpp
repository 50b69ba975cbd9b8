#pragma once
// The payment provider as the payment context sees it, and the rules of the simulated one.
// Pure: the interface and the decisions; the simulated provider's ledger and timer live in
// services/payment/simulated_provider.*.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bazaar::payment {

template <typename T>
using Task = boost::asio::awaitable<T, boost::asio::any_io_executor>;

struct ChargeRequest {
  std::string idempotency_key;  // the order id: one charge per order, whatever is retried
  long long amount_cents = 0;
  std::string currency;
};

struct ChargeOutcome {
  enum class Kind {
    approved,    // the money was taken
    declined,    // refused for good; `reason` says why
    unavailable  // transient: nothing was charged, ask again later
  };
  Kind kind = Kind::unavailable;
  std::string reason;  // declined and unavailable only

  static ChargeOutcome approved() { return {Kind::approved, {}}; }
  static ChargeOutcome declined(std::string why) { return {Kind::declined, std::move(why)}; }
  static ChargeOutcome unavailable(std::string why) { return {Kind::unavailable, std::move(why)}; }
  bool operator==(const ChargeOutcome&) const = default;
};

std::string_view to_string(ChargeOutcome::Kind kind);  // "approved", "declined", "unavailable"

// A card processor or wallet. The contract every implementation keeps: a key is charged at
// most once. Asked again with a key it has already answered approved or declined, the
// provider answers the same without charging again (the way real providers honour an
// idempotency key), so a caller that crashed between the charge and recording it may ask
// again safely. `unavailable` changes nothing on the provider's side.
class PaymentProvider {
 public:
  virtual ~PaymentProvider() = default;
  virtual Task<ChargeOutcome> charge(ChargeRequest request) = 0;
};

// The simulated provider's rules (PAYMENT_* environment variables).
struct SimulatedRules {
  // PAYMENT_DECLINE_ABOVE_CENTS: amounts above this are declined ("amount exceeds limit").
  long long decline_above_cents = 100'000;
  // PAYMENT_DECLINE_CURRENCIES: codes declined with "currency not accepted".
  std::vector<std::string> decline_currencies;
  // PAYMENT_FAILURE_RATE: the fraction of calls answered `unavailable`, 0..1.
  double failure_rate = 0.0;
  // PAYMENT_LATENCY: how long each call takes, half before the charge is recorded and half
  // after (the request and the answer on their way).
  std::chrono::milliseconds latency{0};
};

inline constexpr const char* kReasonOverLimit = "amount exceeds limit";
inline constexpr const char* kReasonCurrency = "currency not accepted";
inline constexpr const char* kReasonUnavailable = "payment provider unavailable";

// The deterministic decision for a charge: declined for a listed currency, then for an
// amount above the limit, approved otherwise.
ChargeOutcome decide(const SimulatedRules& rules, long long amount_cents,
                     std::string_view currency);
// Whether a call fails transiently, given `draw` uniform in [0, 1): draw < failure_rate.
bool fails(const SimulatedRules& rules, double draw);

// PAYMENT_DECLINE_CURRENCIES: "XTS, usd" → {"XTS", "USD"}; empty text → none. Throws
// std::invalid_argument naming a code that is not three letters.
std::vector<std::string> parse_currency_list(std::string_view text);
// PAYMENT_FAILURE_RATE: a decimal number from 0 to 1. Throws std::invalid_argument.
double parse_rate(std::string_view text);

// Uniform draws in [0, 1) from a seeded generator; thread-safe. A fixed seed gives the same
// sequence every time (tests), a random one in production.
class Dice {
 public:
  explicit Dice(std::uint64_t seed) : engine_(seed) {}
  double next();

 private:
  std::mutex mutex_;
  std::mt19937_64 engine_;
};

}  // namespace bazaar::payment
