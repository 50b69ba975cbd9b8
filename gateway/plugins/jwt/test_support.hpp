#pragma once
// Test-only helpers: keys generated in-process with OpenSSL and compact JWS tokens signed with
// them, so tests need no fixture files. Not part of gateway_jwt.
#include <memory>
#include <string>
#include <string_view>

#include "gateway/plugins/jwt/algorithm.hpp"

namespace bazaar::gateway::jwt::testing {

class TestKey {
 public:
  static TestKey rsa(int bits = 2048);
  static TestKey ec(std::string_view curve);  // "P-256", "P-384" or "P-521"
  static TestKey ed25519();
  // Generated once per process and shared: key generation is slow under the sanitizers.
  static const TestKey& shared_rsa();
  static const TestKey& shared_rsa_other();
  static const TestKey& shared_p256();
  static const TestKey& shared_p384();
  static const TestKey& shared_p521();
  static const TestKey& shared_ed25519();

  std::string public_pem() const;      // SubjectPublicKeyInfo
  std::string rsa_public_pem() const;  // PKCS#1 "BEGIN RSA PUBLIC KEY" (RSA keys only)
  std::string private_pem() const;     // PKCS#8
  std::string public_der() const;
  // The JWS signature bytes for `alg`: PKCS#1 v1.5 for RS*, raw r||s for ES*, PSS with
  // salt = digest length for PS*, plain EdDSA.
  std::string sign(Algorithm alg, std::string_view signing_input) const;

  ~TestKey();
  TestKey(const TestKey&);
  TestKey& operator=(const TestKey&);

 private:
  struct Impl;
  explicit TestKey(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

std::string hmac(Algorithm alg, std::string_view key, std::string_view data);
std::string b64url(std::string_view bytes);

// "<b64url(header)>.<b64url(claims)>.<b64url(signature)>"
std::string assemble(std::string_view header_json, std::string_view claims_json,
                     std::string_view signature);
// A token with header {"alg":"<alg>","typ":"JWT"} (or `header_json` when given) MACed with
// `secret`.
std::string hs_token(Algorithm alg, std::string_view secret, std::string_view claims_json,
                     std::string_view header_json = {});
// The same, signed with `key`.
std::string signed_token(const TestKey& key, Algorithm alg, std::string_view claims_json,
                         std::string_view header_json = {});

}  // namespace bazaar::gateway::jwt::testing
