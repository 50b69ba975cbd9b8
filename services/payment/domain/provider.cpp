#include "services/payment/domain/provider.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include "services/payment/domain/payment.hpp"

namespace bazaar::payment {

std::string_view to_string(ChargeOutcome::Kind kind) {
  switch (kind) {
    case ChargeOutcome::Kind::approved:
      return "approved";
    case ChargeOutcome::Kind::declined:
      return "declined";
    case ChargeOutcome::Kind::unavailable:
      break;
  }
  return "unavailable";
}

ChargeOutcome decide(const SimulatedRules& rules, long long amount_cents,
                     std::string_view currency) {
  const auto& list = rules.decline_currencies;
  if (std::find(list.begin(), list.end(), currency) != list.end())
    return ChargeOutcome::declined(kReasonCurrency);
  if (amount_cents > rules.decline_above_cents) return ChargeOutcome::declined(kReasonOverLimit);
  return ChargeOutcome::approved();
}

bool fails(const SimulatedRules& rules, double draw) { return draw < rules.failure_rate; }

std::vector<std::string> parse_currency_list(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    auto comma = text.find(',');
    std::string_view item = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view{} : text.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty()) continue;
    std::string code(item);
    for (char& c : code)
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!is_currency_code(code))
      throw std::invalid_argument("'" + std::string(item) +
                                  "' is not a currency code of three letters");
    out.push_back(std::move(code));
  }
  return out;
}

double parse_rate(std::string_view text) {
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(value) ||
      value < 0.0 || value > 1.0)
    throw std::invalid_argument("expected a number from 0 to 1");
  return value;
}

double Dice::next() {
  std::lock_guard lock(mutex_);
  // The top 53 bits as a fraction: always below 1, unlike uniform_real_distribution, which
  // may round up to exactly 1.0 (LWG 2524) and would then let a rate of 1 miss.
  return static_cast<double>(engine_() >> 11) * 0x1.0p-53;
}

}  // namespace bazaar::payment
