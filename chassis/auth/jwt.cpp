#include "chassis/auth/jwt.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>
#include <cerrno>
#include <climits>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>

#include "chassis/auth/base64url.hpp"

namespace bazaar::auth {
namespace json = boost::json;

namespace {

constexpr int kMinBits = 2048;
constexpr int kMaxBits = 16384;
// Tokens we issue are well under 1 KiB; the cap bounds the work an attacker can cause
// before the signature is checked (base64 decoding and JSON parsing).
constexpr std::size_t kMaxTokenBytes = 8192;
constexpr long long kClockSkew = 60;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct PkeyCtxFree {
  void operator()(EVP_PKEY_CTX* p) const { EVP_PKEY_CTX_free(p); }
};
struct MdCtxFree {
  void operator()(EVP_MD_CTX* p) const { EVP_MD_CTX_free(p); }
};
struct BioFree {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct BnFree {
  void operator()(BIGNUM* p) const { BN_free(p); }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using MdCtxPtr = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;

// Drains OpenSSL's thread-local error queue, so that a failure here is not reported later by
// an unrelated caller on the same thread, and returns the oldest reason.
std::string take_openssl_error() {
  unsigned long first = ERR_get_error();
  ERR_clear_error();
  if (first == 0) return "no OpenSSL error recorded";
  char buf[256];
  ERR_error_string_n(first, buf, sizeof buf);
  return buf;
}

[[noreturn]] void throw_openssl(const std::string& what) {
  throw std::runtime_error(what + ": " + take_openssl_error());
}

std::string bio_contents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

std::string bn_base64url(const EVP_PKEY* pkey, const char* param) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(pkey, param, &raw) != 1) throw_openssl("reading RSA key parameter");
  BnPtr bn(raw);
  // JWK wants the minimal unsigned big-endian form, which is exactly what BN_bn2bin writes.
  std::string bytes(static_cast<std::size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(bytes.data()));
  return base64url_encode(bytes);
}

std::string sha256(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1) {
    throw_openssl("SHA-256");
  }
  return std::string(reinterpret_cast<const char*>(md), len);
}

int refuse_passphrase(char*, int, int, void* asked) {
  *static_cast<bool*>(asked) = true;
  return -1;
}

// Returns the key or, with a null result, the reason in `why`.
PkeyPtr parse_private_pem(std::string_view pem, std::string& why) {
  if (pem.size() > static_cast<std::size_t>(INT_MAX)) {
    why = "PEM text too large";
    return nullptr;
  }
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  if (!bio) throw_openssl("allocating BIO");
  // Without a callback OpenSSL would prompt for a passphrase on the terminal.
  bool asked = false;
  PkeyPtr pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, &refuse_passphrase, &asked));
  if (!pkey) {
    std::string reason = take_openssl_error();
    why = asked ? "the key is passphrase-protected, which is not supported"
                : "no PEM private key found (" + reason + ")";
    return nullptr;
  }
  if (!EVP_PKEY_is_a(pkey.get(), "RSA")) {
    const char* type = EVP_PKEY_get0_type_name(pkey.get());
    why = std::string("expected an RSA key, got ") + (type ? type : "an unknown key type");
    return nullptr;
  }
  int bits = EVP_PKEY_get_bits(pkey.get());
  if (bits < kMinBits) {
    why = std::to_string(bits) + "-bit RSA key is below the " + std::to_string(kMinBits) +
          "-bit minimum";
    return nullptr;
  }
  return pkey;
}

json::object parse_object(std::string_view text, bool& ok) {
  json::error_code ec;
  json::value v = json::parse(text, ec);
  ok = !ec && v.is_object();
  return ok ? std::move(v.as_object()) : json::object{};
}

// NumericDate: any JSON number, truncated to whole seconds towards the past.
std::optional<long long> numeric_date(const json::value& v) {
  if (v.is_int64()) return v.get_int64();
  if (v.is_uint64()) {
    if (v.get_uint64() > static_cast<std::uint64_t>(LLONG_MAX)) return std::nullopt;
    return static_cast<long long>(v.get_uint64());
  }
  if (v.is_double()) {
    double d = std::floor(v.get_double());
    // 2^63 is exactly representable; anything at or above it does not fit.
    if (!std::isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0) {
      return std::nullopt;
    }
    return static_cast<long long>(d);
  }
  return std::nullopt;
}

bool beyond_skew(long long t, long long now) {
  return now <= LLONG_MAX - kClockSkew && t > now + kClockSkew;
}

}  // namespace

struct RsaKey::Impl {
  PkeyPtr pkey;
  std::string n;  // base64url modulus
  std::string e;  // base64url public exponent
  std::string kid;

  explicit Impl(PkeyPtr key) : pkey(std::move(key)) {
    n = bn_base64url(pkey.get(), OSSL_PKEY_PARAM_RSA_N);
    e = bn_base64url(pkey.get(), OSSL_PKEY_PARAM_RSA_E);
    // RFC 7638 §3.2: required members only, lexicographic order, no whitespace. n and e are
    // base64url, so they need no JSON escaping.
    kid = base64url_encode(sha256(R"({"e":")" + e + R"(","kty":"RSA","n":")" + n + R"("})"));
  }
};

std::string_view to_string(VerifyError e) {
  switch (e) {
    case VerifyError::malformed:
      return "malformed";
    case VerifyError::bad_algorithm:
      return "bad_algorithm";
    case VerifyError::bad_signature:
      return "bad_signature";
    case VerifyError::expired:
      return "expired";
    case VerifyError::not_yet_valid:
      return "not_yet_valid";
    case VerifyError::wrong_issuer:
      return "wrong_issuer";
  }
  return "unknown";
}

RsaKey::RsaKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RsaKey::~RsaKey() = default;
RsaKey::RsaKey(RsaKey&&) noexcept = default;
RsaKey& RsaKey::operator=(RsaKey&&) noexcept = default;

RsaKey RsaKey::from_private_pem(std::string_view pem) {
  std::string why;
  PkeyPtr pkey = parse_private_pem(pem, why);
  if (!pkey) throw std::runtime_error("RSA private key: " + why);
  return RsaKey(std::make_unique<Impl>(std::move(pkey)));
}

RsaKey RsaKey::from_private_pem_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw std::runtime_error("RSA private key file '" + path +
                             "': cannot open: " + std::generic_category().message(errno));
  }
  std::string pem{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) throw std::runtime_error("RSA private key file '" + path + "': read error");
  std::string why;
  PkeyPtr pkey = parse_private_pem(pem, why);
  // The key now lives in OpenSSL's memory; the text copy should not linger on the heap.
  OPENSSL_cleanse(pem.data(), pem.size());
  if (!pkey) throw std::runtime_error("RSA private key file '" + path + "': " + why);
  return RsaKey(std::make_unique<Impl>(std::move(pkey)));
}

RsaKey RsaKey::generate(int bits) {
  if (bits < kMinBits || bits > kMaxBits) {
    throw std::invalid_argument("RSA key size " + std::to_string(bits) + " outside [" +
                                std::to_string(kMinBits) + ", " + std::to_string(kMaxBits) + "]");
  }
  PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr));
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 ||
      EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), bits) != 1) {
    throw_openssl("RSA key generation setup");
  }
  EVP_PKEY* raw = nullptr;
  if (EVP_PKEY_generate(ctx.get(), &raw) != 1) throw_openssl("RSA key generation");
  return RsaKey(std::make_unique<Impl>(PkeyPtr(raw)));
}

std::string RsaKey::private_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  // PEM_write_bio_PrivateKey writes PKCS#8 ("BEGIN PRIVATE KEY") in OpenSSL 3.
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), impl_->pkey.get(), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1) {
    throw_openssl("writing private key PEM");
  }
  return bio_contents(bio.get());
}

std::string RsaKey::public_pem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PUBKEY(bio.get(), impl_->pkey.get()) != 1) {
    throw_openssl("writing public key PEM");
  }
  return bio_contents(bio.get());
}

const std::string& RsaKey::kid() const { return impl_->kid; }

std::string RsaKey::jwks_json() const {
  json::object jwk{{"kty", "RSA"},      {"use", "sig"},  {"alg", "RS256"},
                   {"kid", impl_->kid}, {"n", impl_->n}, {"e", impl_->e}};
  return json::serialize(json::object{{"keys", json::array{std::move(jwk)}}});
}

std::string RsaKey::sign(const Claims& c) const {
  json::object header{{"alg", "RS256"}, {"typ", "JWT"}, {"kid", impl_->kid}};
  json::object payload{
      {"iss", c.iss}, {"sub", c.sub}, {"role", c.role}, {"iat", c.iat}, {"exp", c.exp}};
  std::string token =
      base64url_encode(json::serialize(header)) + "." + base64url_encode(json::serialize(payload));

  MdCtxPtr ctx(EVP_MD_CTX_new());
  std::size_t len = 0;
  // RSA keys default to PKCS#1 v1.5 padding, which is what RS256 means (RFC 7518 §3.3).
  if (!ctx ||
      EVP_DigestSignInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get()) != 1 ||
      EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(token.data()),
                     token.size()) != 1) {
    throw_openssl("RS256 signing");
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(token.data()), token.size()) != 1) {
    throw_openssl("RS256 signing");
  }
  sig.resize(len);
  return token + "." + base64url_encode(sig);
}

std::variant<Claims, VerifyError> RsaKey::verify(std::string_view token, long long now_unix,
                                                 std::string_view expected_issuer) const {
  if (token.size() > kMaxTokenBytes) return VerifyError::malformed;
  const auto dot1 = token.find('.');
  if (dot1 == std::string_view::npos) return VerifyError::malformed;
  const auto dot2 = token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos) {
    return VerifyError::malformed;
  }
  const std::string_view signing_input = token.substr(0, dot2);

  bool ok = false;
  auto header_text = base64url_decode(token.substr(0, dot1));
  if (!header_text) return VerifyError::malformed;
  json::object header = parse_object(*header_text, ok);
  if (!ok) return VerifyError::malformed;
  // Pinned, never negotiated: this is what stops "none" and the HS256-with-public-key trick.
  const json::value* alg = header.if_contains("alg");
  if (alg == nullptr || !alg->is_string() || alg->get_string() != "RS256") {
    return VerifyError::bad_algorithm;
  }
  // RFC 7515 §4.1.11: we implement no extensions, so any "crit" must be rejected.
  if (header.contains("crit")) return VerifyError::malformed;

  // Structure is checked before the signature so that garbage is reported as malformed; none
  // of these values is acted on until the signature has verified.
  auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!payload_text) return VerifyError::malformed;
  json::object payload = parse_object(*payload_text, ok);
  if (!ok) return VerifyError::malformed;
  const json::value* sub = payload.if_contains("sub");
  const json::value* role = payload.if_contains("role");
  const json::value* exp_v = payload.if_contains("exp");
  const json::value* iss = payload.if_contains("iss");
  const json::value* iat_v = payload.if_contains("iat");
  const json::value* nbf_v = payload.if_contains("nbf");
  if (sub == nullptr || !sub->is_string() || role == nullptr || !role->is_string() ||
      exp_v == nullptr || (iss != nullptr && !iss->is_string())) {
    return VerifyError::malformed;
  }
  std::optional<long long> exp = numeric_date(*exp_v);
  std::optional<long long> iat = iat_v ? numeric_date(*iat_v) : std::optional<long long>(0);
  std::optional<long long> nbf = nbf_v ? numeric_date(*nbf_v) : std::optional<long long>(0);
  if (!exp || !iat || !nbf) return VerifyError::malformed;

  auto sig = base64url_decode(token.substr(dot2 + 1));
  if (!sig) return VerifyError::malformed;
  MdCtxPtr ctx(EVP_MD_CTX_new());
  if (!ctx) throw std::bad_alloc();
  int rc = EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, impl_->pkey.get());
  if (rc == 1) {
    rc = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(sig->data()),
                          sig->size(), reinterpret_cast<const unsigned char*>(signing_input.data()),
                          signing_input.size());
  }
  if (rc != 1) {
    ERR_clear_error();
    return VerifyError::bad_signature;
  }

  if (iss == nullptr || iss->get_string() != expected_issuer) return VerifyError::wrong_issuer;
  if (now_unix >= *exp) return VerifyError::expired;
  if (beyond_skew(*iat, now_unix) || beyond_skew(*nbf, now_unix)) {
    return VerifyError::not_yet_valid;
  }
  return Claims{std::string(iss->get_string()), std::string(sub->get_string()),
                std::string(role->get_string()), *iat, *exp};
}

}  // namespace bazaar::auth
