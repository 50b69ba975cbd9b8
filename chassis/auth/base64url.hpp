#pragma once
// Base64url (RFC 4648 §5) without padding, the encoding JOSE uses for every JWT segment.
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::auth {

std::string base64url_encode(std::string_view bytes);

// Strict on purpose, because tokens are compared and signed as text: rejects '=' padding,
// characters outside [A-Za-z0-9_-], lengths of 1 mod 4, and non-zero trailing bits (so
// every byte string has exactly one accepted encoding).
std::optional<std::string> base64url_decode(std::string_view text);

}  // namespace bazaar::auth
