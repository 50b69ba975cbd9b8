#pragma once
// Splitting and decoding a compact JWS the way Kong 3.x's jwt_parser.lua (decode_token) does,
// including which malformation produces which "Bad token; ..." reason. Nothing here is trusted:
// the signature has not been checked yet.
#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "gateway/plugins/jwt/algorithm.hpp"

namespace bazaar::gateway::jwt {

struct DecodedToken {
  std::string_view signing_input;  // "<header_64>.<claims_64>", a view into the token
  boost::json::object header;      // always has a string "alg" naming a supported algorithm
  boost::json::value claims;       // any JSON value except `false`
  std::string signature;           // decoded third segment
  Algorithm algorithm;
};

struct TokenDecodeError {
  enum class Kind {
    bad_token,         // 401 "Bad token; <reason>"
    unexpected_error,  // Kong hits a Lua error: 500 "An unexpected error occurred"
  };
  Kind kind;
  std::string reason;  // "invalid JSON", "invalid alg", "invalid claims" or "invalid signature"
};

// Kong splits at the first two dots only, so "a.b.c.d" has the signature segment "c.d" (which
// then fails to decode: "invalid signature"); fewer than three segments is "invalid JSON".
std::variant<DecodedToken, TokenDecodeError> decode_token(std::string_view token);

// cjson as Kong configures it: objects keep the last of duplicate keys, nesting up to 1000,
// bytes that are not UTF-8 allowed. nullopt when the text is not JSON.
std::optional<boost::json::value> parse_json_like_cjson(std::string_view text);

}  // namespace bazaar::gateway::jwt
