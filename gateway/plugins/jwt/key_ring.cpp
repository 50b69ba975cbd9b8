#include "gateway/plugins/jwt/key_ring.hpp"

#include <functional>
#include <string>
#include <unordered_map>
#include <utility>

#include "gateway/plugins/jwt/kong_base64.hpp"

namespace bazaar::gateway::jwt {
namespace {

// Lets the map be searched with a string_view, so a lookup allocates nothing.
struct KeyHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

std::string describe(std::size_t index, const Credential& c) {
  return "jwt_secrets[" + std::to_string(index) + "] (key \"" + c.key + "\")";
}

std::optional<VerificationKey> make_key(Algorithm alg, std::string_view text, std::string& why) {
  if (is_hmac(alg)) return VerificationKey::hmac(alg, text);
  return VerificationKey::public_key(alg, text, why);
}

}  // namespace

struct KeyRing::Index {
  std::unordered_map<std::string, KeyedCredential, KeyHash, std::equal_to<>> by_key;
};

KeyRing::KeyRing() : index_(std::make_unique<const Index>()) {}
KeyRing::KeyRing(std::unique_ptr<const Index> index) : index_(std::move(index)) {}
KeyRing::~KeyRing() = default;
KeyRing::KeyRing(KeyRing&&) noexcept = default;
KeyRing& KeyRing::operator=(KeyRing&&) noexcept = default;

std::variant<KeyRing, std::string> KeyRing::build(std::vector<Credential> credentials) {
  auto index = std::make_unique<Index>();
  index->by_key.reserve(credentials.size());
  for (std::size_t i = 0; i < credentials.size(); ++i) {
    Credential& c = credentials[i];
    if (c.algorithm.empty()) c.algorithm = "HS256";  // daos.lua default
    std::optional<Algorithm> alg = parse_algorithm(c.algorithm);
    if (!alg) {
      return describe(i, c) +
             ": algorithm: expected one of: HS256, HS384, HS512, RS256, RS384, "
             "RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA";
    }
    if (index->by_key.contains(c.key)) {
      return describe(i, c) + ": key: UNIQUE violation";
    }
    // HS* credentials verify with `secret`; all others with `rsa_public_key`, which daos.lua
    // requires and validates for them.
    const std::string& material = is_hmac(*alg) ? c.secret : c.rsa_public_key;
    if (!is_hmac(*alg) && material.empty()) {
      return describe(i, c) + ": rsa_public_key: required field missing";
    }
    std::string why;
    std::optional<VerificationKey> key = make_key(*alg, material, why);
    if (!key) return describe(i, c) + ": rsa_public_key: " + why;

    // secret_is_base64 is a plugin setting, so both readings are prepared; each plugin instance
    // picks one. A decoded public key that does not parse is as unusable as one that does not
    // decode (Kong would fail the request either way).
    std::optional<VerificationKey> base64_key;
    if (std::optional<std::string> decoded = kong_base64_decode(material)) {
      std::string ignored;
      base64_key = make_key(*alg, *decoded, ignored);
    }
    std::string map_key = c.key;
    index->by_key.emplace(std::move(map_key), KeyedCredential{std::move(c), *alg, std::move(*key),
                                                              std::move(base64_key)});
  }
  return KeyRing(std::move(index));
}

const KeyedCredential* KeyRing::find(std::string_view key) const {
  auto it = index_->by_key.find(key);
  return it == index_->by_key.end() ? nullptr : &it->second;
}

CredentialLookup KeyRing::lookup() const {
  // Captures the index, not `this`, so moving the KeyRing does not invalidate the function.
  return [index = index_.get()](std::string_view key) -> const Credential* {
    auto it = index->by_key.find(key);
    return it == index->by_key.end() ? nullptr : &it->second.credential;
  };
}

std::size_t KeyRing::size() const { return index_->by_key.size(); }

}  // namespace bazaar::gateway::jwt
