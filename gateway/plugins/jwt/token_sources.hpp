#pragma once
// Finding the JWT in a request, as Kong 3.x's retrieve_tokens (kong/plugins/jwt/handler.lua):
// every configured query argument, then cookie, then header is collected into a set, so the
// same token sent twice is one token, while two different tokens are refused (since 3.2, to stop
// JWT smuggling).
#include <optional>
#include <string>
#include <string_view>

#include "gateway/plugins/jwt/config.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::jwt {

struct RetrievedToken {
  enum class Kind {
    none,            // "Unauthorized"
    one,             // token() is it
    multiple,        // "Multiple tokens provided"
    unrecognizable,  // "Unrecognizable token": the only candidate was a bare "?jwt" (Lua `true`)
  };
  Kind kind = Kind::none;
  // The token is a view into the request (a header or cookie) or, from a query argument, which
  // is percent-decoded on the way, its own copy. Read it through token(), while the request lives.
  std::string_view found;
  std::optional<std::string> decoded;
  std::string_view token() const { return decoded ? std::string_view(*decoded) : found; }
};

RetrievedToken retrieve_token(const Config& config, const Request& request);

// nginx's $cookie_<name>: the first cookie, across all Cookie headers, whose name matches
// case-insensitively; its value runs to the next ';'. nullopt when there is none.
std::optional<std::string_view> find_cookie(const Request& request, std::string_view name);

// The token in one Authorization-style header value, per the regex \s*[Bb]earer\s+(.+) that
// Kong runs unanchored: the scheme is matched anywhere and only as "Bearer" or "bearer".
std::optional<std::string_view> bearer_token(std::string_view header_value);

}  // namespace bazaar::gateway::jwt
