#include "gateway/plugins/jwt/verification_key.hpp"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rsa.h>

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <utility>

#include "gateway/plugins/jwt/verified_signatures.hpp"

namespace bazaar::gateway::jwt {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* p) const { EVP_MAC_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct DecoderCtxFree {
  void operator()(OSSL_DECODER_CTX* p) const { OSSL_DECODER_CTX_free(p); }
};
struct EcdsaSigFree {
  void operator()(ECDSA_SIG* p) const { ECDSA_SIG_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using DecoderCtxPtr = std::unique_ptr<OSSL_DECODER_CTX, DecoderCtxFree>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, EcdsaSigFree>;

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

// Verification failures leave reasons on OpenSSL's thread-local error queue; drop them so an
// unrelated caller on this thread does not later report them as its own.
SignatureCheck clear_errors_and(SignatureCheck result) {
  ERR_clear_error();
  return result;
}

enum class Digest { sha256, sha384, sha512, none };

Digest digest_of(Algorithm alg) {
  switch (alg) {
    case Algorithm::HS256:
    case Algorithm::RS256:
    case Algorithm::ES256:
    case Algorithm::PS256:
      return Digest::sha256;
    case Algorithm::HS384:
    case Algorithm::RS384:
    case Algorithm::ES384:
    case Algorithm::PS384:
      return Digest::sha384;
    case Algorithm::HS512:
    case Algorithm::RS512:
    case Algorithm::ES512:
    case Algorithm::PS512:
      return Digest::sha512;
    case Algorithm::EdDSA:
      break;
  }
  return Digest::none;  // EdDSA hashes internally; OpenSSL wants no digest
}

const char* digest_name(Digest d) {
  return d == Digest::sha256 ? "SHA256" : d == Digest::sha384 ? "SHA384" : "SHA512";
}

// Fetched once per process: an implicit fetch on every verification would take OpenSSL's
// method-store lock on the hot path. Deliberately never freed (process lifetime).
const EVP_MD* fetched_digest(Algorithm alg) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  static EVP_MD* const sha384 = EVP_MD_fetch(nullptr, "SHA384", nullptr);
  static EVP_MD* const sha512 = EVP_MD_fetch(nullptr, "SHA512", nullptr);
  switch (digest_of(alg)) {
    case Digest::sha256:
      return sha256;
    case Digest::sha384:
      return sha384;
    case Digest::sha512:
      return sha512;
    case Digest::none:
      break;
  }
  return nullptr;
}

EVP_MAC* fetched_hmac() {
  static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  return mac;
}

bool is_ecdsa(Algorithm alg) {
  return alg == Algorithm::ES256 || alg == Algorithm::ES384 || alg == Algorithm::ES512;
}
bool is_pss(Algorithm alg) {
  return alg == Algorithm::PS256 || alg == Algorithm::PS384 || alg == Algorithm::PS512;
}

// The r||s length jwt_parser.lua asserts for each ES* algorithm.
std::size_t raw_ecdsa_length(Algorithm alg) {
  return alg == Algorithm::ES256 ? 64 : alg == Algorithm::ES384 ? 96 : 132;
}

bool key_fits(Algorithm alg, EVP_PKEY* pkey) {
  if (is_hmac(alg)) return false;
  if (is_ecdsa(alg)) return EVP_PKEY_is_a(pkey, "EC");
  if (alg == Algorithm::EdDSA)
    return EVP_PKEY_is_a(pkey, "ED25519") || EVP_PKEY_is_a(pkey, "ED448");
  if (is_pss(alg)) return EVP_PKEY_is_a(pkey, "RSA") || EVP_PKEY_is_a(pkey, "RSA-PSS");
  return EVP_PKEY_is_a(pkey, "RSA");
}

int refuse_passphrase(char*, int, int, void*) { return -1; }

PkeyPtr decode_key(std::string_view text) {
  EVP_PKEY* raw = nullptr;
  // No input type, structure or key type: let the decoders try PEM and DER, SubjectPublicKeyInfo,
  // PKCS#1 and private-key structures, which is what openssl_pkey.new in Kong accepts.
  DecoderCtxPtr ctx(
      OSSL_DECODER_CTX_new_for_pkey(&raw, nullptr, nullptr, nullptr, 0, nullptr, nullptr));
  if (!ctx) return nullptr;
  // Without this, an encrypted private key could make OpenSSL prompt on the terminal.
  OSSL_DECODER_CTX_set_pem_password_cb(ctx.get(), &refuse_passphrase, nullptr);
  const unsigned char* data = bytes(text);
  std::size_t len = text.size();
  if (OSSL_DECODER_from_data(ctx.get(), &data, &len) != 1) {
    EVP_PKEY_free(raw);
    return nullptr;
  }
  return PkeyPtr(raw);
}

// JWS carries ECDSA signatures as fixed-width big-endian r||s (RFC 7518 §3.4); OpenSSL verifies
// the DER SEQUENCE { INTEGER r, INTEGER s }.
std::optional<std::string> raw_ecdsa_to_der(std::string_view raw) {
  const int half = static_cast<int>(raw.size() / 2);
  EcdsaSigPtr sig(ECDSA_SIG_new());
  BIGNUM* r = BN_bin2bn(bytes(raw), half, nullptr);
  BIGNUM* s = BN_bin2bn(bytes(raw) + half, half, nullptr);
  if (!sig || r == nullptr || s == nullptr || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
    BN_free(r);
    BN_free(s);
    return std::nullopt;
  }
  int len = i2d_ECDSA_SIG(sig.get(), nullptr);
  if (len <= 0) return std::nullopt;
  std::string der(static_cast<std::size_t>(len), '\0');
  auto* out = reinterpret_cast<unsigned char*>(der.data());
  if (i2d_ECDSA_SIG(sig.get(), &out) != len) return std::nullopt;
  return der;
}

std::uint64_t next_key_id() {
  static std::atomic<std::uint64_t> last{0};
  return ++last;
}
}  // namespace

struct VerificationKey::Impl {
  // Never reused, unlike an address: the verified-signature cache keys on it.
  std::uint64_t id = next_key_id();
  Algorithm alg;
  MacCtxPtr hmac;       // HS*: keyed once; each verification works on a duplicate
  PkeyPtr pkey;         // everything else
  bool usable = false;  // pkey is of the type alg needs

  SignatureCheck verify_hmac(std::string_view input, std::string_view signature) const {
    MacCtxPtr ctx(EVP_MAC_CTX_dup(hmac.get()));
    unsigned char mac[EVP_MAX_MD_SIZE];
    std::size_t len = 0;
    if (!ctx || EVP_MAC_update(ctx.get(), bytes(input), input.size()) != 1 ||
        EVP_MAC_final(ctx.get(), mac, &len, sizeof mac) != 1) {
      return clear_errors_and(SignatureCheck::unexpected_error);
    }
    // Constant time, unlike jwt_parser.lua's `signature == alg_sign.HS256(...)`, so response
    // timing says nothing about how much of a guessed MAC was right.
    bool same = signature.size() == len && CRYPTO_memcmp(signature.data(), mac, len) == 0;
    return same ? SignatureCheck::valid : SignatureCheck::invalid;
  }

  SignatureCheck verify_public(std::string_view input, std::string_view signature) const {
    std::optional<std::string> der;
    if (is_ecdsa(alg)) {
      if (signature.size() != raw_ecdsa_length(alg)) return SignatureCheck::unexpected_error;
      if (!usable) return SignatureCheck::invalid;
      // The halves must be as wide as the curve's order (lua-resty-openssl's ecdsa_use_raw
      // refuses otherwise), so an ES256 credential holding a P-384 key never verifies.
      const int order_bytes = (EVP_PKEY_get_bits(pkey.get()) + 7) / 8;
      if (static_cast<std::size_t>(order_bytes) * 2 != signature.size()) {
        return SignatureCheck::invalid;
      }
      der = raw_ecdsa_to_der(signature);
      if (!der) return clear_errors_and(SignatureCheck::invalid);
      signature = *der;
    } else if (is_pss(alg)) {
      // jwt_parser.lua: assert(#signature == 256, "Signature must be 256 bytes"), so only
      // 2048-bit keys work with PS* in Kong.
      if (signature.size() != 256) return SignatureCheck::unexpected_error;
    }
    if (!usable) return SignatureCheck::invalid;

    MdCtxPtr ctx(EVP_MD_CTX_new());
    EVP_PKEY_CTX* pctx = nullptr;
    if (!ctx ||
        EVP_DigestVerifyInit(ctx.get(), &pctx, fetched_digest(alg), nullptr, pkey.get()) != 1) {
      return clear_errors_and(SignatureCheck::invalid);
    }
    if (is_pss(alg) && (EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) != 1 ||
                        EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) != 1)) {
      return clear_errors_and(SignatureCheck::invalid);
    }
    int rc =
        EVP_DigestVerify(ctx.get(), bytes(signature), signature.size(), bytes(input), input.size());
    return rc == 1 ? SignatureCheck::valid : clear_errors_and(SignatureCheck::invalid);
  }
};

VerificationKey::VerificationKey(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
VerificationKey::~VerificationKey() = default;
VerificationKey::VerificationKey(const VerificationKey&) = default;
VerificationKey& VerificationKey::operator=(const VerificationKey&) = default;
VerificationKey::VerificationKey(VerificationKey&&) noexcept = default;
VerificationKey& VerificationKey::operator=(VerificationKey&&) noexcept = default;

VerificationKey VerificationKey::hmac(Algorithm alg, std::string_view secret) {
  if (!is_hmac(alg)) throw std::invalid_argument("VerificationKey::hmac needs an HS* algorithm");
  auto impl = std::make_shared<Impl>();
  impl->alg = alg;
  impl->hmac.reset(EVP_MAC_CTX_new(fetched_hmac()));
  // OSSL_PARAM wants a mutable pointer but only reads the name.
  char* digest = const_cast<char*>(digest_name(digest_of(alg)));
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                         OSSL_PARAM_construct_end()};
  // A null key would mean "keep the previous key"; an empty secret is a real (if weak) key.
  static const unsigned char kEmpty[1] = {0};
  const unsigned char* key = secret.empty() ? kEmpty : bytes(secret);
  if (!impl->hmac || EVP_MAC_init(impl->hmac.get(), key, secret.size(), params) != 1) {
    ERR_clear_error();
    throw std::runtime_error("HMAC setup failed");
  }
  return VerificationKey(std::move(impl));
}

std::optional<VerificationKey> VerificationKey::public_key(Algorithm alg, std::string_view text,
                                                           std::string& why) {
  if (is_hmac(alg))
    throw std::invalid_argument(
        "VerificationKey::public_key needs a public-key "
        "algorithm");
  PkeyPtr pkey = decode_key(text);
  ERR_clear_error();
  if (!pkey) {
    why = "invalid key";  // daos.lua's validate_ssl_key message
    return std::nullopt;
  }
  auto impl = std::make_shared<Impl>();
  impl->alg = alg;
  impl->usable = key_fits(alg, pkey.get());
  impl->pkey = std::move(pkey);
  return VerificationKey(std::move(impl));
}

Algorithm VerificationKey::algorithm() const { return impl_->alg; }

SignatureCheck VerificationKey::verify(std::string_view signing_input,
                                       std::string_view signature) const {
  if (is_hmac(impl_->alg)) return impl_->verify_hmac(signing_input, signature);
  auto& verified = VerifiedSignatures::of_this_thread();
  if (verified.contains(impl_->id, signing_input, signature)) return SignatureCheck::valid;
  const SignatureCheck check = impl_->verify_public(signing_input, signature);
  if (check == SignatureCheck::valid) verified.remember(impl_->id, signing_input, signature);
  return check;
}

}  // namespace bazaar::gateway::jwt
