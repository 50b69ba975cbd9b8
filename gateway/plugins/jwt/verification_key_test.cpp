#include "gateway/plugins/jwt/verification_key.hpp"

#include <gtest/gtest.h>

#include "gateway/plugins/jwt/test_support.hpp"

namespace bazaar::gateway::jwt {
namespace {

using testing::TestKey;

constexpr std::string_view kInput = "eyJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJrIn0";

VerificationKey public_key(Algorithm alg, const std::string& text) {
  std::string why;
  auto key = VerificationKey::public_key(alg, text, why);
  if (!key) throw std::runtime_error(why);
  return *key;
}

TEST(JwtVerificationKey, Hmac) {
  for (Algorithm alg : {Algorithm::HS256, Algorithm::HS384, Algorithm::HS512}) {
    VerificationKey key = VerificationKey::hmac(alg, "s3cret");
    std::string mac = testing::hmac(alg, "s3cret", kInput);
    EXPECT_EQ(key.verify(kInput, mac), SignatureCheck::valid);
    EXPECT_EQ(key.verify(kInput, testing::hmac(alg, "other", kInput)), SignatureCheck::invalid);
    EXPECT_EQ(key.verify(kInput, mac.substr(1)), SignatureCheck::invalid);
    EXPECT_EQ(key.verify(kInput, mac + "x"), SignatureCheck::invalid);
    EXPECT_EQ(key.verify("other input", mac), SignatureCheck::invalid);
    // Repeated use of the pre-keyed context gives the same answer.
    EXPECT_EQ(key.verify(kInput, mac), SignatureCheck::valid);
  }
}

TEST(JwtVerificationKey, EmptyHmacSecretIsAKey) {
  VerificationKey key = VerificationKey::hmac(Algorithm::HS256, "");
  EXPECT_EQ(key.verify(kInput, testing::hmac(Algorithm::HS256, "", kInput)), SignatureCheck::valid);
  EXPECT_EQ(key.verify(kInput, ""), SignatureCheck::invalid);
}

TEST(JwtVerificationKey, KeyFormatsKongAccepts) {
  const TestKey& rsa = TestKey::shared_rsa();
  std::string sig = rsa.sign(Algorithm::RS256, kInput);
  for (const std::string& text :
       {rsa.public_pem(), rsa.rsa_public_pem(), rsa.private_pem(), rsa.public_der()}) {
    EXPECT_EQ(public_key(Algorithm::RS256, text).verify(kInput, sig), SignatureCheck::valid);
  }
  std::string why;
  EXPECT_FALSE(VerificationKey::public_key(Algorithm::RS256, "not a key", why));
  EXPECT_EQ(why, "invalid key");
  EXPECT_FALSE(VerificationKey::public_key(Algorithm::RS256, "", why));
}

TEST(JwtVerificationKey, RsaPkcs1AndPss) {
  const TestKey& rsa = TestKey::shared_rsa();
  for (Algorithm alg : {Algorithm::RS256, Algorithm::RS384, Algorithm::RS512, Algorithm::PS256,
                        Algorithm::PS384, Algorithm::PS512}) {
    SCOPED_TRACE(to_string(alg));
    VerificationKey key = public_key(alg, rsa.public_pem());
    std::string sig = rsa.sign(alg, kInput);
    EXPECT_EQ(key.verify(kInput, sig), SignatureCheck::valid);
    std::string flipped = sig;
    flipped[10] ^= 1;
    EXPECT_EQ(key.verify(kInput, flipped), SignatureCheck::invalid);
    EXPECT_EQ(key.verify("x", sig), SignatureCheck::invalid);
  }
}

TEST(JwtVerificationKey, PkcsAndPssAreNotInterchangeable) {
  const TestKey& rsa = TestKey::shared_rsa();
  EXPECT_EQ(public_key(Algorithm::RS256, rsa.public_pem())
                .verify(kInput, rsa.sign(Algorithm::PS256, kInput)),
            SignatureCheck::invalid);
  EXPECT_EQ(public_key(Algorithm::PS256, rsa.public_pem())
                .verify(kInput, rsa.sign(Algorithm::RS256, kInput)),
            SignatureCheck::invalid);
}

TEST(JwtVerificationKey, PssNeedsA256ByteSignatureLikeKong) {
  TestKey big = TestKey::rsa(3072);
  EXPECT_EQ(public_key(Algorithm::PS256, big.public_pem())
                .verify(kInput, big.sign(Algorithm::PS256, kInput)),
            SignatureCheck::unexpected_error);
  // RS* has no such limit.
  EXPECT_EQ(public_key(Algorithm::RS256, big.public_pem())
                .verify(kInput, big.sign(Algorithm::RS256, kInput)),
            SignatureCheck::valid);
}

TEST(JwtVerificationKey, Ecdsa) {
  struct Case {
    Algorithm alg;
    const TestKey& key;
    std::size_t length;
  };
  for (const Case& c : {Case{Algorithm::ES256, TestKey::shared_p256(), 64},
                        Case{Algorithm::ES384, TestKey::shared_p384(), 96},
                        Case{Algorithm::ES512, TestKey::shared_p521(), 132}}) {
    SCOPED_TRACE(to_string(c.alg));
    VerificationKey key = public_key(c.alg, c.key.public_pem());
    std::string sig = c.key.sign(c.alg, kInput);
    ASSERT_EQ(sig.size(), c.length);
    EXPECT_EQ(key.verify(kInput, sig), SignatureCheck::valid);
    std::string flipped = sig;
    flipped[c.length - 1] ^= 1;
    EXPECT_EQ(key.verify(kInput, flipped), SignatureCheck::invalid);
    EXPECT_EQ(key.verify(kInput, std::string(c.length, '\0')), SignatureCheck::invalid);
    EXPECT_EQ(key.verify(kInput, sig.substr(1)), SignatureCheck::unexpected_error);
    EXPECT_EQ(key.verify(kInput, ""), SignatureCheck::unexpected_error);
  }
}

TEST(JwtVerificationKey, EcdsaKeyMustMatchTheCurveSize) {
  // An ES256 credential holding a P-384 key: the 64-byte signature never fits it.
  VerificationKey key = public_key(Algorithm::ES256, TestKey::shared_p384().public_pem());
  EXPECT_EQ(key.verify(kInput, TestKey::shared_p256().sign(Algorithm::ES256, kInput)),
            SignatureCheck::invalid);
}

TEST(JwtVerificationKey, EdDsa) {
  const TestKey& ed = TestKey::shared_ed25519();
  VerificationKey key = public_key(Algorithm::EdDSA, ed.public_pem());
  std::string sig = ed.sign(Algorithm::EdDSA, kInput);
  EXPECT_EQ(key.verify(kInput, sig), SignatureCheck::valid);
  EXPECT_EQ(key.verify("other", sig), SignatureCheck::invalid);
}

TEST(JwtVerificationKey, WrongKeyTypeNeverVerifies) {
  const TestKey& ec = TestKey::shared_p256();
  // An RS256 credential holding an EC key, fed an ECDSA signature.
  std::string der_like = ec.sign(Algorithm::ES256, kInput);
  EXPECT_EQ(public_key(Algorithm::RS256, ec.public_pem()).verify(kInput, der_like),
            SignatureCheck::invalid);
  const TestKey& rsa = TestKey::shared_rsa();
  EXPECT_EQ(public_key(Algorithm::EdDSA, rsa.public_pem())
                .verify(kInput, rsa.sign(Algorithm::RS256, kInput)),
            SignatureCheck::invalid);
  EXPECT_EQ(public_key(Algorithm::ES256, rsa.public_pem()).verify(kInput, std::string(64, 'x')),
            SignatureCheck::invalid);
}

}  // namespace
}  // namespace bazaar::gateway::jwt
