#pragma once
// The line and field grammar shared by the plain-head parsers (plain_response_head.hpp,
// plain_request_head.hpp): exactly what Beast's parser accepts, minus what it would treat
// specially (obs-fold, Transfer-Encoding, Upgrade, a repeated or list Content-Length, an
// unusual Connection list). Those make a head "not plain", and the caller then lets Beast
// parse it, so accepting and refusing stays Beast's. Pure logic.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

#include <boost/container/small_vector.hpp>

namespace bazaar::gateway::proxy {

// RFC 9110 tchar, as Beast checks methods and field names.
bool is_token_char(char c);
bool is_digit(char c);

// The text from `*at` up to the CRLF ending its line, moving `*at` past the CRLF. nullopt
// when a control character (other than HTAB; a bare CR or LF included) or DEL comes first.
std::optional<std::string_view> plain_line(std::string_view text, std::size_t* at);

// In arrival order, values without surrounding whitespace. Views into the parsed text. Room
// for the usual number of fields inline: a head is parsed twice per proxied request.
using FieldList = boost::container::small_vector<std::pair<std::string_view, std::string_view>, 16>;

struct PlainFields {
  FieldList fields;
  std::optional<std::uint64_t> content_length;
  // The tokens of every Connection and Proxy-Connection field (what Beast's parser keeps).
  bool close = false;
  bool keep_alive = false;
  // The tokens of the first Connection field only (what a Beast message's keep_alive() reads).
  bool first_connection_close = false;
  bool first_connection_keep_alive = false;
};

// Parses the fields from `*at` through the blank line ending the head, which must end
// `text`. false when they are not plain.
bool parse_plain_fields(std::string_view text, std::size_t at, PlainFields* out);

}  // namespace bazaar::gateway::proxy
