#pragma once
// RS256 JSON Web Tokens (RFC 7519 / RFC 7515) for session tokens issued by the identity
// service and checked by the gateway. Only RS256 is accepted: the algorithm is fixed by the
// verifier, never taken from the token.
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace bazaar::auth {

// Times are seconds since the Unix epoch (JWT NumericDate).
struct Claims {
  std::string iss;
  std::string sub;
  std::string role;
  long long iat = 0;  // 0 when the token carries no iat
  long long exp = 0;
};

enum class VerifyError {
  malformed,
  bad_algorithm,
  bad_signature,
  expired,
  not_yet_valid,
  wrong_issuer
};

std::string_view to_string(VerifyError);

// An RSA private key with its derived public parts. Const member functions may be called
// from several threads at once. A moved-from RsaKey may only be destroyed or assigned to.
class RsaKey {
 public:
  // Accepts PKCS#8 ("BEGIN PRIVATE KEY") or PKCS#1 ("BEGIN RSA PRIVATE KEY"), unencrypted,
  // RSA only, at least 2048 bits. Throws std::runtime_error with a one-line reason.
  static RsaKey from_private_pem(std::string_view pem);
  // As above; the message names the path, and also covers an unreadable file.
  static RsaKey from_private_pem_file(const std::string& path);
  // For tests and ephemeral dev keys. Throws std::invalid_argument outside [2048, 16384].
  static RsaKey generate(int bits = 2048);

  // PKCS#8 PEM, so tests and scripts can write the key to a file.
  std::string private_pem() const;
  // RFC 7638 JWK thumbprint: base64url SHA-256 of {"e","kty","n"}. Stable for a given key, so
  // every replica that loads the same key advertises the same kid.
  const std::string& kid() const;

  // Compact JWS; header {"alg":"RS256","typ":"JWT","kid":...}, payload iss, sub, role, iat,
  // exp. Throws std::runtime_error only if OpenSSL fails to sign.
  std::string sign(const Claims& c) const;

  // Checks, in order: at most 8 KiB, three segments, a JSON-object header (malformed); alg
  // exactly RS256 (bad_algorithm); no "crit" header (malformed); payload a JSON object with string
  // sub and role, numeric exp, and iss/iat/nbf of the right type if present (malformed); signature
  // (bad_signature); iss == expected_issuer (wrong_issuer); exp > now_unix with no leeway
  // (expired); iat and nbf at most 60 s after now_unix (not_yet_valid). No claim is trusted before
  // the signature verifies; kid, jku, jwk and x5u in the header are ignored, never used to pick a
  // key.
  std::variant<Claims, VerifyError> verify(std::string_view token, long long now_unix,
                                           std::string_view expected_issuer) const;

  // {"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":..,"n":..,"e":..}]}
  std::string jwks_json() const;
  // SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"), for the gateway.
  std::string public_pem() const;

  ~RsaKey();
  RsaKey(RsaKey&&) noexcept;
  RsaKey& operator=(RsaKey&&) noexcept;

 private:
  struct Impl;
  explicit RsaKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace bazaar::auth
