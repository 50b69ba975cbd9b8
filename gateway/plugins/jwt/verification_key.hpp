#pragma once
// One credential's key material, parsed once so that checking a signature does no PEM parsing
// or HMAC key setup. Immutable after construction: const members may be called from several
// threads at once. Copies share the parsed key.
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "gateway/plugins/jwt/algorithm.hpp"

namespace bazaar::gateway::jwt {

enum class SignatureCheck {
  valid,
  invalid,
  // Kong raises a Lua error here (an assert in jwt_parser.lua's alg_verify), which the client
  // sees as 500 {"message":"An unexpected error occurred"}.
  unexpected_error,
};

class VerificationKey {
 public:
  // HS256/384/512 with this shared secret (any bytes, empty included).
  static VerificationKey hmac(Algorithm alg, std::string_view secret);
  // Every other algorithm. Accepts what Kong's openssl_pkey.new accepts: PEM or DER, a public
  // key (SubjectPublicKeyInfo or PKCS#1 RSA) or a private key (its public half is used).
  // Returns nullopt, with a one-line reason in `why`, when nothing parses.
  static std::optional<VerificationKey> public_key(Algorithm alg, std::string_view key_text,
                                                   std::string& why);

  Algorithm algorithm() const;

  // `signature` is the decoded third segment. Per jwt_parser.lua: HS* compares MACs (here in
  // constant time); RS* is PKCS#1 v1.5; ES* takes the JWS raw r||s form, whose length must be
  // exactly 64/96/132 bytes (else unexpected_error, like Kong's assert); PS* is RSASSA-PSS with
  // MGF1 and salt length = digest length, and (Kong's assert) a 256-byte signature; EdDSA is
  // Ed25519 or Ed448. A key of the wrong type for the algorithm never verifies.
  SignatureCheck verify(std::string_view signing_input, std::string_view signature) const;

  ~VerificationKey();
  VerificationKey(const VerificationKey&);
  VerificationKey& operator=(const VerificationKey&);
  VerificationKey(VerificationKey&&) noexcept;
  VerificationKey& operator=(VerificationKey&&) noexcept;

 private:
  struct Impl;
  explicit VerificationKey(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace bazaar::gateway::jwt
