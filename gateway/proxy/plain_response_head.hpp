#pragma once
// The head of an upstream's answer when it is of the plain, usual kind: HTTP/1.0 or 1.1, a
// status, well-formed fields, and either no body (HEAD, 1xx, 204, 304) or a Content-Length.
// The proxy parses such heads here, at less than half the cost of Beast's parser, and
// frames their bodies by the length. Anything else (chunked or close-delimited bodies,
// Transfer-Encoding, Upgrade, obs-fold, repeated or unusual Content-Length, any line Beast
// would refuse) is not plain: the caller hands those to Beast, so what is accepted and what
// is refused stays exactly Beast's. Pure logic: no sockets, no Beast.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/proxy/plain_fields.hpp"

namespace bazaar::gateway::proxy {

struct PlainResponseHead {
  int version = 11;  // 10 or 11
  int status = 0;
  std::string_view reason;  // as sent, possibly empty
  // In arrival order, values without surrounding whitespace. Views into the parsed text.
  FieldList fields;
  std::optional<std::uint64_t> content_length;
  bool has_body = false;    // false: HEAD, 1xx, 204, 304 or Content-Length 0
  bool keep_alive = false;  // the upstream lets the connection carry another request
  std::size_t head_length = 0;
};

// `text` holds a whole head, its blank line included, and nothing else. nullopt: not plain.
// `head_request`: the answer is to a HEAD, so it has no body whatever it says.
std::optional<PlainResponseHead> parse_plain_response_head(std::string_view text,
                                                           bool head_request);

}  // namespace bazaar::gateway::proxy
