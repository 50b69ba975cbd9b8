#pragma once
// The JWS "alg" values Kong 3.x's jwt plugin knows (kong/plugins/jwt/jwt_parser.lua, alg_verify;
// ES512, PS* and EdDSA since 3.7). A token naming anything else, "none" included, is refused as
// "Bad token; invalid alg" before any key is looked up.
#include <optional>
#include <string_view>

namespace bazaar::gateway::jwt {

enum class Algorithm {
  HS256,
  HS384,
  HS512,
  RS256,
  RS384,
  RS512,
  ES256,
  ES384,
  ES512,
  PS256,
  PS384,
  PS512,
  EdDSA,
};

// Exact, case-sensitive match, as Kong's table lookup is.
std::optional<Algorithm> parse_algorithm(std::string_view name);
std::string_view to_string(Algorithm);

// HS* verify with the credential's shared secret; everything else with its rsa_public_key.
bool is_hmac(Algorithm);

}  // namespace bazaar::gateway::jwt
