#pragma once
// Every JWT credential, indexed by key, with its key material parsed up front: the table the
// plugin consults on each request (Kong's jwt_secrets cache, filled eagerly). Build it when the
// configuration loads; it is immutable afterwards and safe to share between threads and between
// jwt plugin instances.
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/plugins/jwt/algorithm.hpp"
#include "gateway/plugins/jwt/credential.hpp"
#include "gateway/plugins/jwt/verification_key.hpp"

namespace bazaar::gateway::jwt {

struct KeyedCredential {
  Credential credential;
  Algorithm algorithm;
  VerificationKey key;  // from `secret` (HS*) or `rsa_public_key`
  // What config.secret_is_base64 makes Kong verify with: the same text run through
  // jwt_parser.lua's base64_decode. nullopt when that fails, which Kong answers with
  // "Invalid key/secret".
  std::optional<VerificationKey> base64_key;
};

class KeyRing {
 public:
  // Validates like Kong's jwt_secrets DAO: algorithm one of the supported names (empty means
  // HS256), keys unique, and a parseable rsa_public_key for every non-HS* algorithm. On failure
  // returns one line naming the credential, e.g. "jwt_secrets[2] (key \"k\"): invalid key".
  static std::variant<KeyRing, std::string> build(std::vector<Credential> credentials);

  KeyRing();  // empty: every lookup misses
  const KeyedCredential* find(std::string_view key) const;
  // The same lookup in the shape other components take; valid while this KeyRing (or the one it
  // is moved into) lives.
  CredentialLookup lookup() const;
  std::size_t size() const;

  // A moved-from KeyRing may only be destroyed or assigned to.
  ~KeyRing();
  KeyRing(KeyRing&&) noexcept;
  KeyRing& operator=(KeyRing&&) noexcept;

 private:
  struct Index;
  explicit KeyRing(std::unique_ptr<const Index> index);
  std::unique_ptr<const Index> index_;
};

}  // namespace bazaar::gateway::jwt
