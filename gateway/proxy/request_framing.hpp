#pragma once
// Request-smuggling defences. A proxy and the server behind it must agree on where each
// request ends; any message two parsers could frame differently is refused with 400 and the
// connection closed (RFC 9112 6.3, 5.2), stricter than RFC's "may" where it could differ.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

// Checks the raw request head (request line through the blank line): obsolete line folding
// (a header line starting with SP or HTAB) and bare LF line endings.
std::optional<std::string> raw_head_violation(std::string_view head);

// Checks the parsed header list: more than one Content-Length (even with equal values), a
// Content-Length that is not plain digits, Transfer-Encoding together with Content-Length,
// and any Transfer-Encoding other than a single "chunked".
std::optional<std::string> framing_violation(const std::vector<Header>& headers);

}  // namespace bazaar::gateway::proxy
