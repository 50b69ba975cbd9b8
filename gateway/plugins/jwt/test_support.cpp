#include "gateway/plugins/jwt/test_support.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>

#include <stdexcept>

#include "chassis/auth/base64url.hpp"

namespace bazaar::gateway::jwt::testing {
namespace {

[[noreturn]] void fail(const char* what) {
  ERR_clear_error();
  throw std::runtime_error(std::string("test key: ") + what);
}

const char* digest(Algorithm alg) {
  switch (alg) {
    case Algorithm::HS256:
    case Algorithm::RS256:
    case Algorithm::ES256:
    case Algorithm::PS256:
      return "SHA256";
    case Algorithm::HS384:
    case Algorithm::RS384:
    case Algorithm::ES384:
    case Algorithm::PS384:
      return "SHA384";
    case Algorithm::HS512:
    case Algorithm::RS512:
    case Algorithm::ES512:
    case Algorithm::PS512:
      return "SHA512";
    case Algorithm::EdDSA:
      return nullptr;
  }
  return nullptr;
}

std::string bio_text(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(len));
}

EVP_PKEY* generate(const char* type, const char* curve, int bits) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, type, nullptr);
  EVP_PKEY* key = nullptr;
  bool ok = ctx != nullptr && EVP_PKEY_keygen_init(ctx) == 1;
  if (ok && bits > 0) ok = EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1;
  if (ok && curve != nullptr) ok = EVP_PKEY_CTX_set_group_name(ctx, curve) == 1;
  if (ok) ok = EVP_PKEY_generate(ctx, &key) == 1;
  EVP_PKEY_CTX_free(ctx);
  if (!ok) fail("generation failed");
  return key;
}

// DER ECDSA-Sig-Value to JWS's fixed-width r||s.
std::string der_to_raw(const std::string& der, int width) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size()));
  if (sig == nullptr) fail("bad DER signature");
  std::string raw(static_cast<std::size_t>(width) * 2, '\0');
  auto* out = reinterpret_cast<unsigned char*>(raw.data());
  bool ok = BN_bn2binpad(ECDSA_SIG_get0_r(sig), out, width) == width &&
            BN_bn2binpad(ECDSA_SIG_get0_s(sig), out + width, width) == width;
  ECDSA_SIG_free(sig);
  if (!ok) fail("r or s too wide");
  return raw;
}

}  // namespace

struct TestKey::Impl {
  EVP_PKEY* pkey = nullptr;
  ~Impl() { EVP_PKEY_free(pkey); }
};

TestKey::TestKey(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
TestKey::~TestKey() = default;
TestKey::TestKey(const TestKey&) = default;
TestKey& TestKey::operator=(const TestKey&) = default;

TestKey TestKey::rsa(int bits) {
  auto impl = std::make_shared<Impl>();
  impl->pkey = generate("RSA", nullptr, bits);
  return TestKey(impl);
}

TestKey TestKey::ec(std::string_view curve) {
  auto impl = std::make_shared<Impl>();
  impl->pkey = generate("EC", std::string(curve).c_str(), 0);
  return TestKey(impl);
}

TestKey TestKey::ed25519() {
  auto impl = std::make_shared<Impl>();
  impl->pkey = generate("ED25519", nullptr, 0);
  return TestKey(impl);
}

const TestKey& TestKey::shared_rsa() {
  static const TestKey key = rsa(2048);
  return key;
}
const TestKey& TestKey::shared_rsa_other() {
  static const TestKey key = rsa(2048);
  return key;
}
const TestKey& TestKey::shared_p256() {
  static const TestKey key = ec("P-256");
  return key;
}
const TestKey& TestKey::shared_p384() {
  static const TestKey key = ec("P-384");
  return key;
}
const TestKey& TestKey::shared_p521() {
  static const TestKey key = ec("P-521");
  return key;
}
const TestKey& TestKey::shared_ed25519() {
  static const TestKey key = ed25519();
  return key;
}

std::string TestKey::public_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr || PEM_write_bio_PUBKEY(bio, impl_->pkey) != 1) fail("PEM_write_bio_PUBKEY");
  std::string out = bio_text(bio);
  BIO_free(bio);
  return out;
}

std::string TestKey::rsa_public_pem() const {
  unsigned char* der = nullptr;
  int len = i2d_PublicKey(impl_->pkey, &der);  // PKCS#1 RSAPublicKey for an RSA key
  if (len <= 0) fail("i2d_PublicKey");
  std::string body =
      b64url(std::string_view(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len)));
  OPENSSL_free(der);
  // PEM is standard base64 with padding, in 64-column lines.
  for (char& c : body) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (body.size() % 4 != 0) body.push_back('=');
  std::string pem = "-----BEGIN RSA PUBLIC KEY-----\n";
  for (std::size_t i = 0; i < body.size(); i += 64) pem += body.substr(i, 64) + "\n";
  return pem + "-----END RSA PUBLIC KEY-----\n";
}

std::string TestKey::private_pem() const {
  BIO* bio = BIO_new(BIO_s_mem());
  if (bio == nullptr ||
      PEM_write_bio_PrivateKey(bio, impl_->pkey, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    fail("PEM_write_bio_PrivateKey");
  }
  std::string out = bio_text(bio);
  BIO_free(bio);
  return out;
}

std::string TestKey::public_der() const {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(impl_->pkey, &der);
  if (len <= 0) fail("i2d_PUBKEY");
  std::string out(reinterpret_cast<const char*>(der), static_cast<std::size_t>(len));
  OPENSSL_free(der);
  return out;
}

std::string TestKey::sign(Algorithm alg, std::string_view input) const {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_PKEY_CTX* pctx = nullptr;
  bool ok = ctx != nullptr && EVP_DigestSignInit_ex(ctx, &pctx, digest(alg), nullptr, nullptr,
                                                    impl_->pkey, nullptr) == 1;
  if (ok && (alg == Algorithm::PS256 || alg == Algorithm::PS384 || alg == Algorithm::PS512)) {
    ok = EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING) == 1 &&
         EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, RSA_PSS_SALTLEN_DIGEST) == 1;
  }
  std::size_t len = 0;
  const auto* data = reinterpret_cast<const unsigned char*>(input.data());
  if (ok) ok = EVP_DigestSign(ctx, nullptr, &len, data, input.size()) == 1;
  std::string sig(len, '\0');
  if (ok) {
    ok = EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, data,
                        input.size()) == 1;
  }
  EVP_MD_CTX_free(ctx);
  if (!ok) fail("signing failed");
  sig.resize(len);
  if (alg == Algorithm::ES256) return der_to_raw(sig, 32);
  if (alg == Algorithm::ES384) return der_to_raw(sig, 48);
  if (alg == Algorithm::ES512) return der_to_raw(sig, 66);
  return sig;
}

std::string hmac(Algorithm alg, std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  const EVP_MD* md = alg == Algorithm::HS256   ? EVP_sha256()
                     : alg == Algorithm::HS384 ? EVP_sha384()
                                               : EVP_sha512();
  if (HMAC(md, key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), out,
           &len) == nullptr) {
    fail("HMAC");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string b64url(std::string_view bytes) { return bazaar::auth::base64url_encode(bytes); }

std::string assemble(std::string_view header_json, std::string_view claims_json,
                     std::string_view signature) {
  return b64url(header_json) + "." + b64url(claims_json) + "." + b64url(signature);
}

namespace {
std::string default_header(Algorithm alg, std::string_view header_json) {
  if (!header_json.empty()) return std::string(header_json);
  return R"({"alg":")" + std::string(to_string(alg)) + R"(","typ":"JWT"})";
}
}  // namespace

std::string hs_token(Algorithm alg, std::string_view secret, std::string_view claims_json,
                     std::string_view header_json) {
  std::string input = b64url(default_header(alg, header_json)) + "." + b64url(claims_json);
  return input + "." + b64url(hmac(alg, secret, input));
}

std::string signed_token(const TestKey& key, Algorithm alg, std::string_view claims_json,
                         std::string_view header_json) {
  std::string input = b64url(default_header(alg, header_json)) + "." + b64url(claims_json);
  return input + "." + b64url(key.sign(alg, input));
}

}  // namespace bazaar::gateway::jwt::testing
