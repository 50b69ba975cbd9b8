#pragma once
// The head of a client's request when it is of the plain, usual kind: a token method, a
// target, HTTP/1.0 or 1.1, well-formed fields, and no body (neither Content-Length nor
// Transfer-Encoding). The proxy parses such heads here, at less than half the cost of Beast's
// parser (and without its per-request parser object). Anything else (a body, Upgrade,
// obs-fold, an unusual Connection list, any line Beast would refuse) is not plain: the
// caller hands those to Beast, so what is accepted and refused, and the smuggling defences
// that run on Beast's result, stay as they are. Pure logic: no sockets, no Beast.
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/proxy/plain_fields.hpp"

namespace bazaar::gateway::proxy {

struct PlainRequestHead {
  std::string_view method;  // as sent
  std::string_view target;
  unsigned version = 11;  // 10 or 11
  // In arrival order, values without surrounding whitespace. Views into the parsed text.
  FieldList fields;
  // What Beast's message::keep_alive() answers: read from the first Connection field.
  bool keep_alive = true;
};

// `text` holds a whole head, its blank line included, and nothing else. nullopt: not plain.
std::optional<PlainRequestHead> parse_plain_request_head(std::string_view text);

}  // namespace bazaar::gateway::proxy
