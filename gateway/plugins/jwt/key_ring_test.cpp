#include "gateway/plugins/jwt/key_ring.hpp"

#include <gtest/gtest.h>

#include "gateway/plugins/jwt/test_support.hpp"

namespace bazaar::gateway::jwt {
namespace {

using testing::TestKey;

Credential cred(std::string key, std::string alg, std::string secret = "s", std::string pem = "") {
  return Credential{"id-" + key,    key,
                    std::move(alg), std::move(secret),
                    std::move(pem), Consumer{"c-" + key, "", ""}};
}

std::string error_of(std::vector<Credential> c) {
  auto r = KeyRing::build(std::move(c));
  if (auto* e = std::get_if<std::string>(&r)) return *e;
  ADD_FAILURE() << "built";
  return {};
}

TEST(JwtKeyRing, FindsByKey) {
  auto r = KeyRing::build({cred("a", "HS256"), cred("b", "", "t"),
                           cred("c", "RS256", "", TestKey::shared_rsa().public_pem())});
  ASSERT_TRUE(std::holds_alternative<KeyRing>(r));
  const KeyRing& ring = std::get<KeyRing>(r);
  EXPECT_EQ(ring.size(), 3u);
  ASSERT_NE(ring.find("b"), nullptr);
  EXPECT_EQ(ring.find("b")->algorithm, Algorithm::HS256);
  EXPECT_EQ(ring.find("b")->credential.algorithm, "HS256");
  EXPECT_EQ(ring.find("c")->algorithm, Algorithm::RS256);
  EXPECT_EQ(ring.find("nope"), nullptr);
  EXPECT_EQ(ring.find("A"), nullptr);  // keys are case-sensitive
  CredentialLookup lookup = ring.lookup();
  ASSERT_NE(lookup("a"), nullptr);
  EXPECT_EQ(lookup("a")->id, "id-a");
  EXPECT_EQ(lookup("z"), nullptr);
}

TEST(JwtKeyRing, Base64ReadingIsPreparedWhenItDecodes) {
  auto r = KeyRing::build({cred("a", "HS256", "YmxvYg"), cred("b", "HS256", "no way!")});
  const KeyRing& ring = std::get<KeyRing>(r);
  EXPECT_TRUE(ring.find("a")->base64_key);
  EXPECT_FALSE(ring.find("b")->base64_key);
}

TEST(JwtKeyRing, RejectsWhatKongsDaoRejects) {
  EXPECT_EQ(error_of({cred("a", "HS256"), cred("a", "HS512")}),
            "jwt_secrets[1] (key \"a\"): key: UNIQUE violation");
  EXPECT_EQ(error_of({cred("a", "none")}),
            "jwt_secrets[0] (key \"a\"): algorithm: expected one of: HS256, HS384, HS512, RS256, "
            "RS384, RS512, ES256, ES384, ES512, PS256, PS384, PS512, EdDSA");
  EXPECT_EQ(error_of({cred("a", "RS256")}),
            "jwt_secrets[0] (key \"a\"): rsa_public_key: required field missing");
  EXPECT_EQ(error_of({cred("a", "ES256", "", "-----BEGIN PUBLIC KEY-----\nnope\n")}),
            "jwt_secrets[0] (key \"a\"): rsa_public_key: invalid key");
}

TEST(JwtKeyRing, EmptyRingFindsNothing) {
  KeyRing ring;
  EXPECT_EQ(ring.find("a"), nullptr);
  EXPECT_EQ(ring.size(), 0u);
}

}  // namespace
}  // namespace bazaar::gateway::jwt
