#pragma once
// A consumer's JWT credential: Kong's `jwt_secrets` entity (kong/plugins/jwt/daos.lua) with its
// consumer already resolved.
#include <functional>
#include <string>
#include <string_view>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::jwt {

struct Credential {
  std::string id;
  std::string key;             // matched against the token's key claim (config.key_claim_name)
  std::string algorithm;       // "HS256" when empty, as in Kong
  std::string secret;          // HS*: the shared secret (base64 when config.secret_is_base64)
  std::string rsa_public_key;  // every other algorithm: PEM (or DER) public key, despite the name
  Consumer consumer;
};

// Finds a credential by key; nullptr when there is none.
using CredentialLookup = std::function<const Credential*(std::string_view key)>;

}  // namespace bazaar::gateway::jwt
