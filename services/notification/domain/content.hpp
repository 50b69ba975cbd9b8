#pragma once
// What an order's e-mail says: its subject and plain-text body. Pure: no I/O.
#include <string>
#include <string_view>

#include "services/notification/domain/order_event.hpp"

namespace bazaar::notification {

struct Content {
  std::string subject;  // one line, no control characters
  std::string body;     // lines separated by '\n', each well under SMTP's 998-byte limit
};

Content compose(const OrderEvent& event);

// "12.34 EUR" from 1234 and "EUR"; currencies without minor units ("JPY") or with three
// ("KWD") are written with the right number of decimals.
std::string format_money(long long minor_units, std::string_view currency);

// `text` with control characters (CR and LF among them) turned into spaces, runs of spaces
// collapsed, trimmed, and cut to at most `max_bytes` without splitting a UTF-8 character:
// text from an event may go into a header line.
std::string single_line(std::string_view text, std::size_t max_bytes);

}  // namespace bazaar::notification
