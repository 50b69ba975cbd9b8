#include "services/notification/domain/content.hpp"

#include <array>

namespace bazaar::notification {
namespace {
// A cancellation reason longer than this is cut: it goes into the subject line.
constexpr std::size_t kMaxReasonBytes = 200;

int minor_digits(std::string_view currency) {
  // ISO 4217 currencies whose minor unit is not 1/100.
  static constexpr std::array<std::string_view, 16> none{"BIF", "CLP", "DJF", "GNF", "ISK", "JPY",
                                                         "KMF", "KRW", "PYG", "RWF", "UGX", "UYI",
                                                         "VND", "VUV", "XAF", "XOF"};
  static constexpr std::array<std::string_view, 7> three{"BHD", "IQD", "JOD", "KWD",
                                                         "LYD", "OMR", "TND"};
  for (auto c : none)
    if (c == currency) return 0;
  for (auto c : three)
    if (c == currency) return 3;
  return 2;
}

bool is_continuation(unsigned char c) { return (c & 0xC0) == 0x80; }
}  // namespace

std::string format_money(long long minor_units, std::string_view currency) {
  int digits = minor_digits(currency);
  // Negative amounts never come from a valid event; print them correctly anyway.
  bool negative = minor_units < 0;
  unsigned long long v =
      negative ? 0ULL - static_cast<unsigned long long>(minor_units) : minor_units;
  unsigned long long scale = 1;
  for (int i = 0; i < digits; ++i) scale *= 10;
  std::string out = negative ? "-" : "";
  out += std::to_string(v / scale);
  if (digits > 0) {
    std::string frac = std::to_string(v % scale);
    out += '.';
    out.append(static_cast<std::size_t>(digits) - frac.size(), '0');
    out += frac;
  }
  out += ' ';
  out += currency;
  return out;
}

std::string single_line(std::string_view text, std::size_t max_bytes) {
  std::string out;
  for (unsigned char c : text) {
    bool space = c < 0x20 || c == 0x7F || c == ' ';
    if (space) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += static_cast<char>(c);
    }
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  if (out.size() > max_bytes) {
    std::size_t cut = max_bytes;
    while (cut > 0 && is_continuation(static_cast<unsigned char>(out[cut]))) --cut;
    out.resize(cut);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "...";
  }
  return out;
}

Content compose(const OrderEvent& e) {
  const std::string total = format_money(e.total_cents, e.currency);
  const std::string& id = e.order_id;
  Content c;
  std::string text;
  switch (e.kind) {
    case Kind::created:
      c.subject = "Your order " + id + " was received";
      text = "Thank you for your order " + id + " of " + total +
             ".\n\nWe are taking the payment now and will write again as soon as it has gone "
             "through.";
      break;
    case Kind::confirmed:
      c.subject = "Your order " + id + " is confirmed";
      text = "Your payment of " + total + " for order " + id +
             " went through: the order is confirmed.\n\nThank you for shopping at Bazaar.";
      break;
    case Kind::cancelled: {
      std::string reason = single_line(e.reason, kMaxReasonBytes);
      c.subject = "Your order " + id + " was cancelled";
      if (!reason.empty()) c.subject += ": " + reason;
      text = "We are sorry: your order " + id + " of " + total + " was cancelled.\n\n";
      text += reason.empty() ? std::string("No reason was given.") : "Reason: " + reason;
      break;
    }
  }
  c.body = "Hello,\n\n" + text + "\n\n-- \nBazaar\n";
  return c;
}

}  // namespace bazaar::notification
