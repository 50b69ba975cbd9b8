#pragma once
// Response bodies in the bytes Kong sends: kong.response.exit encodes its table with cjson,
// which escapes '/' as "\/" and control characters, and passes other bytes through.
#include <string>
#include <string_view>

#include "gateway/plugins/jwt/claims_check.hpp"

namespace bazaar::gateway::jwt {

// {"message":"<text>"}
std::string message_body(std::string_view message);
// {"exp":"token expired","nbf":"token not valid yet"}: members in the order given (cjson's own
// order for a two-key table follows Lua's hash layout, which we do not reproduce).
std::string errors_body(const ClaimErrors& errors);
// A JSON string literal, quotes included, escaped as cjson does.
std::string cjson_string(std::string_view text);

}  // namespace bazaar::gateway::jwt
