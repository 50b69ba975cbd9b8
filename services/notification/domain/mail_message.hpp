#pragma once
// An e-mail as RFC 5322 text (with RFC 2045/2047 for UTF-8): the headers every mail client
// expects, folded and encoded so that no line breaks SMTP's limits and no text from an event
// can start a header of its own. Pure: no I/O.
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::notification {

struct Mailbox {
  std::string name;     // display name, may be empty
  std::string address;  // addr-spec: local@domain
};

// "Bazaar <orders@bazaar.local>", "<orders@bazaar.local>" or "orders@bazaar.local" (the name
// may be quoted); nullopt when there is no plain address in it.
std::optional<Mailbox> parse_mailbox(std::string_view text);

// True for an address that can go into SMTP's MAIL/RCPT and a header as it is: printable
// ASCII, exactly one '@' with text on both sides, no spaces and none of <>()[]\,;:".
bool is_plain_address(std::string_view address);

// The part after the '@'.
std::string_view domain_of(std::string_view address);

// "Bazaar <orders@bazaar.local>"; a name with special characters is quoted, a non-ASCII one
// encoded (RFC 2047).
std::string format_mailbox(const Mailbox& mailbox);

// RFC 5322 date-time in UTC: "Sat, 21 Nov 2026 08:35:03 +0000".
std::string format_date(std::time_t t);

// "Name: value\r\n", folded at spaces to keep lines within 78 characters; a value with
// non-ASCII characters is sent as RFC 2047 encoded words (UTF-8, base64).
std::string header_line(std::string_view name, std::string_view value);

// Lines longer than `width` broken at spaces; '\n' line ends kept.
std::string wrap_text(std::string_view text, std::size_t width);

struct MailMessage {
  Mailbox from;
  std::string to;          // a plain address
  std::string subject;     // one line
  std::string body;        // plain text, '\n' line ends
  std::string message_id;  // "id@domain", without the angle brackets
  std::time_t date = 0;
};

// The whole message with CRLF line ends: Date, From, To, Subject, Message-ID, MIME-Version,
// Content-Type (text/plain; charset=utf-8), Content-Transfer-Encoding (7bit, or 8bit for a
// non-ASCII body), a blank line, then the body wrapped at 76 columns.
std::string render(const MailMessage& message);

}  // namespace bazaar::notification
