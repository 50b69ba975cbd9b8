#include "gateway/plugins/jwt/authenticate.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "chassis/auth/jwt.hpp"
#include "gateway/plugins/jwt/test_support.hpp"

namespace bazaar::gateway::jwt {
namespace {

using testing::assemble;
using testing::b64url;
using testing::hs_token;
using testing::signed_token;
using testing::TestKey;

constexpr long long kNow = 1'700'000'000;
const auto kNowTp = std::chrono::system_clock::time_point(std::chrono::seconds(kNow));

Credential credential(std::string key, std::string alg, std::string secret, std::string pem) {
  return Credential{"id-" + key,    key,
                    std::move(alg), std::move(secret),
                    std::move(pem), Consumer{"consumer-" + key, "user-" + key, ""}};
}

const KeyRing& keys() {
  static const KeyRing ring = [] {
    std::vector<Credential> c = {
        credential("hs256", "HS256", "secret-256", ""),
        credential("hs384", "HS384", "secret-384", ""),
        credential("hs512", "HS512", "secret-512", ""),
        credential("default-alg", "", "secret-default", ""),
        credential("rs256", "RS256", "", TestKey::shared_rsa().public_pem()),
        credential("rs384", "RS384", "", TestKey::shared_rsa().public_pem()),
        credential("rs512", "RS512", "", TestKey::shared_rsa().public_pem()),
        credential("es256", "ES256", "", TestKey::shared_p256().public_pem()),
        credential("es384", "ES384", "", TestKey::shared_p384().public_pem()),
        credential("es512", "ES512", "", TestKey::shared_p521().public_pem()),
        credential("ps256", "PS256", "", TestKey::shared_rsa().public_pem()),
        credential("ps384", "PS384", "", TestKey::shared_rsa().public_pem()),
        credential("ps512", "PS512", "", TestKey::shared_rsa().public_pem()),
        credential("eddsa", "EdDSA", "", TestKey::shared_ed25519().public_pem()),
        credential("b64", "HS256", "YmxvYiBkYXRh", ""),  // "blob data"
        credential("b64-bad", "HS256", "not base64!", ""),
    };
    auto built = KeyRing::build(std::move(c));
    if (auto* error = std::get_if<std::string>(&built)) throw std::runtime_error(*error);
    return std::move(std::get<KeyRing>(built));
  }();
  return ring;
}

Request bearer(const std::string& token) {
  return Request{"GET", "/orders", "", {{"Authorization", "Bearer " + token}}, "", "192.0.2.1"};
}

Outcome run(const Config& config, const Request& request,
            EarlierCredential earlier = EarlierCredential::none) {
  return authenticate(config, request, keys(), kNowTp, earlier);
}

Rejection rejected(const Outcome& outcome) {
  const auto* r = std::get_if<Rejection>(&outcome);
  if (r == nullptr) {
    ADD_FAILURE() << "expected a rejection, got outcome #" << outcome.index();
    return {};
  }
  return *r;
}

Authenticated accepted(const Outcome& outcome) {
  if (const auto* r = std::get_if<Rejection>(&outcome)) {
    ADD_FAILURE() << "rejected: " << r->status << " " << r->body;
    return {};
  }
  const auto* a = std::get_if<Authenticated>(&outcome);
  if (a == nullptr) {
    ADD_FAILURE() << "expected authentication, got outcome #" << outcome.index();
    return {};
  }
  return *a;
}

void expect_401(const Outcome& outcome, const std::string& body) {
  Rejection r = rejected(outcome);
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, body);
}

void expect_500(const Outcome& outcome) {
  Rejection r = rejected(outcome);
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.body, R"({"message":"An unexpected error occurred"})");
  EXPECT_EQ(r.www_authenticate, "");
}

std::string iss(const std::string& key, const std::string& extra = "") {
  return R"({"iss":")" + key + "\"" + extra + "}";
}

// --- finding the token ---------------------------------------------------------------------

TEST(JwtAuthenticate, NoTokenIsUnauthorizedWithBareBearerChallenge) {
  Rejection r = rejected(run(Config{}, Request{"GET", "/", "", {}, "", ""}));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.body, R"({"message":"Unauthorized"})");
  EXPECT_EQ(r.www_authenticate, "Bearer");
}

TEST(JwtAuthenticate, OtherFailuresCarryTheInvalidTokenChallenge) {
  Rejection r = rejected(run(Config{}, bearer("garbage")));
  EXPECT_EQ(r.www_authenticate, R"(Bearer error="invalid_token")");
}

TEST(JwtAuthenticate, RealmAppearsInTheChallenge) {
  Config c;
  c.realm = "bazaar";
  EXPECT_EQ(rejected(run(c, Request{})).www_authenticate, R"(Bearer realm="bazaar")");
  EXPECT_EQ(rejected(run(c, bearer("garbage"))).www_authenticate,
            R"(Bearer realm="bazaar" error="invalid_token")");
}

TEST(JwtAuthenticate, TokenFromQueryParameter) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  Request r{"GET", "/orders", "page=2&jwt=" + token, {}, "", ""};
  EXPECT_EQ(accepted(run(Config{}, r)).credential_key, "hs256");
}

TEST(JwtAuthenticate, TokenFromCookieOnlyWhenConfigured) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  Request r{"GET", "/", "", {{"Cookie", "theme=dark; session=" + token}}, "", ""};
  expect_401(run(Config{}, r), R"({"message":"Unauthorized"})");
  Config c;
  c.cookie_names = {"session"};
  EXPECT_EQ(accepted(run(c, r)).credential_key, "hs256");
}

TEST(JwtAuthenticate, TokenFromConfiguredHeaderNames) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  Request r{"GET", "/", "", {{"X-Auth-Token", "Bearer " + token}}, "", ""};
  expect_401(run(Config{}, r), R"({"message":"Unauthorized"})");
  Config c;
  c.header_names = {"x-auth-token"};
  EXPECT_EQ(accepted(run(c, r)).credential_key, "hs256");
}

TEST(JwtAuthenticate, BearerSchemeMatchesKongsRegex) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  Request lower{"GET", "/", "", {{"authorization", "bearer " + token}}, "", ""};
  EXPECT_EQ(accepted(run(Config{}, lower)).credential_key, "hs256");
  Request upper{"GET", "/", "", {{"Authorization", "BEARER " + token}}, "", ""};
  expect_401(run(Config{}, upper), R"({"message":"Unauthorized"})");
  Request raw{"GET", "/", "", {{"Authorization", token}}, "", ""};
  expect_401(run(Config{}, raw), R"({"message":"Unauthorized"})");
}

TEST(JwtAuthenticate, SameTokenInSeveralPlacesCountsOnce) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  Request r{"GET",
            "/",
            "jwt=" + token + "&jwt=" + token,
            {{"Authorization", "Bearer " + token}, {"Cookie", "jwt=" + token}},
            "",
            ""};
  Config c;
  c.cookie_names = {"jwt"};
  EXPECT_EQ(accepted(run(c, r)).credential_key, "hs256");
}

TEST(JwtAuthenticate, DifferentTokensAreRefusedEvenIfBothAreValid) {
  std::string a = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  std::string b = hs_token(Algorithm::HS384, "secret-384", iss("hs384"));
  Request r{"GET", "/", "jwt=" + a, {{"Authorization", "Bearer " + b}}, "", ""};
  expect_401(run(Config{}, r), R"({"message":"Multiple tokens provided"})");
  Request two_params{"GET", "/", "jwt=" + a + "&jwt=" + b, {}, "", ""};
  expect_401(run(Config{}, two_params), R"({"message":"Multiple tokens provided"})");
}

TEST(JwtAuthenticate, BareQueryKeyIsUnrecognizableAndEmptyValueIsIgnored) {
  expect_401(run(Config{}, Request{"GET", "/", "jwt", {}, "", ""}),
             R"({"message":"Unrecognizable token"})");
  expect_401(run(Config{}, Request{"GET", "/", "jwt=", {}, "", ""}),
             R"({"message":"Unauthorized"})");
}

// --- success per algorithm -----------------------------------------------------------------

TEST(JwtAuthenticate, HmacAlgorithms) {
  for (auto [alg, key, secret] : {std::tuple{Algorithm::HS256, "hs256", "secret-256"},
                                  std::tuple{Algorithm::HS384, "hs384", "secret-384"},
                                  std::tuple{Algorithm::HS512, "hs512", "secret-512"}}) {
    Authenticated a = accepted(run(Config{}, bearer(hs_token(alg, secret, iss(key)))));
    EXPECT_EQ(a.credential_key, key);
    EXPECT_EQ(a.credential_id, std::string("id-") + key);
    ASSERT_NE(a.consumer, nullptr);
    EXPECT_EQ(a.consumer->id, std::string("consumer-") + key);
    EXPECT_EQ(a.consumer->username, std::string("user-") + key);
  }
}

TEST(JwtAuthenticate, CredentialWithoutAlgorithmIsHs256) {
  EXPECT_EQ(accepted(run(Config{},
                         bearer(hs_token(Algorithm::HS256, "secret-default", iss("default-alg")))))
                .credential_key,
            "default-alg");
}

TEST(JwtAuthenticate, PublicKeyAlgorithms) {
  struct Case {
    Algorithm alg;
    const TestKey& key;
    const char* credential;
  };
  for (const Case& c : {Case{Algorithm::RS256, TestKey::shared_rsa(), "rs256"},
                        Case{Algorithm::RS384, TestKey::shared_rsa(), "rs384"},
                        Case{Algorithm::RS512, TestKey::shared_rsa(), "rs512"},
                        Case{Algorithm::ES256, TestKey::shared_p256(), "es256"},
                        Case{Algorithm::ES384, TestKey::shared_p384(), "es384"},
                        Case{Algorithm::ES512, TestKey::shared_p521(), "es512"},
                        Case{Algorithm::PS256, TestKey::shared_rsa(), "ps256"},
                        Case{Algorithm::PS384, TestKey::shared_rsa(), "ps384"},
                        Case{Algorithm::PS512, TestKey::shared_rsa(), "ps512"},
                        Case{Algorithm::EdDSA, TestKey::shared_ed25519(), "eddsa"}}) {
    SCOPED_TRACE(to_string(c.alg));
    std::string token = signed_token(c.key, c.alg, iss(c.credential));
    Authenticated a = accepted(run(Config{}, bearer(token)));
    EXPECT_EQ(a.credential_key, c.credential);
  }
}

TEST(JwtAuthenticate, UserServiceTokensPassWithAMatchingCredential) {
  auth::RsaKey issuer = auth::RsaKey::generate(2048);
  std::string token = issuer.sign({"user-service", "user-42", "customer", kNow - 10, kNow + 900});
  auto built = KeyRing::build({
      credential("user-service", "RS256", "", issuer.public_pem()),
      credential(issuer.kid(), "RS256", "", issuer.public_pem()),
  });
  const KeyRing& ring = std::get<KeyRing>(built);
  Config by_iss;
  by_iss.claims_to_verify = {RegisteredClaim::exp};
  Outcome o = authenticate(by_iss, bearer(token), ring, kNowTp);
  EXPECT_EQ(accepted(o).credential_key, "user-service");
  // The key claim is looked for in the claims, then in the header: "kid" is only in the header.
  Config by_kid = by_iss;
  by_kid.key_claim_name = "kid";
  EXPECT_EQ(accepted(authenticate(by_kid, bearer(token), ring, kNowTp)).credential_key,
            issuer.kid());
  // And its exp is honoured.
  expect_401(authenticate(by_iss, bearer(token), ring, kNowTp + std::chrono::seconds(900)),
             R"({"exp":"token expired"})");
}

// --- malformed tokens ----------------------------------------------------------------------

TEST(JwtAuthenticate, UndecodableTokensAreBadTokens) {
  std::string header = b64url(R"({"alg":"HS256"})");
  std::string claims = b64url(iss("hs256"));
  for (std::string token :
       {std::string("garbage"), header + "." + claims, header, "!!!." + claims + ".sig",
        header + ".%%%.sig", b64url("not json") + "." + claims + ".sig", "." + claims + ".sig"}) {
    SCOPED_TRACE(token);
    expect_401(run(Config{}, bearer(token)), R"({"message":"Bad token; invalid JSON"})");
  }
}

TEST(JwtAuthenticate, ExtraOrUndecodableSignatureSegmentIsBadToken) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  for (std::string t : {token + ".extra", token + "!", token.substr(0, token.size() - 1) + "*"}) {
    SCOPED_TRACE(t);
    expect_401(run(Config{}, bearer(t)), R"({"message":"Bad token; invalid signature"})");
  }
}

TEST(JwtAuthenticate, UnsupportedOrMissingAlgIsBadToken) {
  for (std::string header : {R"({"alg":"none"})", R"({"alg":"HS1"})", R"({"alg":"hs256"})",
                             R"({"typ":"JWT"})", R"({"alg":256})", R"(["HS256"])", R"("HS256")"}) {
    SCOPED_TRACE(header);
    expect_401(run(Config{}, bearer(assemble(header, iss("hs256"), ""))),
               R"({"message":"Bad token; invalid alg"})");
  }
}

TEST(JwtAuthenticate, ClaimsOfFalseAreInvalidClaims) {
  expect_401(run(Config{}, bearer(assemble(R"({"alg":"HS256"})", "false", "x"))),
             R"({"message":"Bad token; invalid claims"})");
}

TEST(JwtAuthenticate, ValuesLuaCannotIndexAreUnexpectedErrors) {
  expect_500(run(Config{}, bearer(assemble("42", iss("hs256"), "x"))));
  expect_500(run(Config{}, bearer(assemble("null", iss("hs256"), "x"))));
  expect_500(run(Config{}, bearer(assemble(R"({"alg":"HS256"})", "12", "x"))));
  expect_500(run(Config{}, bearer(assemble(R"({"alg":"HS256"})", "null", "x"))));
}

// --- the key claim -------------------------------------------------------------------------

TEST(JwtAuthenticate, MissingKeyClaim) {
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", R"({"sub":"x"})"))),
             R"({"message":"No mandatory 'iss' in claims"})");
  // A JSON array has no named members either.
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", R"(["hs256"])"))),
             R"({"message":"No mandatory 'iss' in claims"})");
  Config c;
  c.key_claim_name = "client_id";
  expect_401(run(c, bearer(hs_token(Algorithm::HS256, "secret-256", iss("hs256")))),
             R"({"message":"No mandatory 'client_id' in claims"})");
}

TEST(JwtAuthenticate, EmptyKeyClaim) {
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", iss("")))),
             R"({"message":"Invalid 'iss' in claims"})");
}

TEST(JwtAuthenticate, NonStringKeyClaimIsAnUnexpectedError) {
  for (std::string claims :
       {R"({"iss":42})", R"({"iss":true})", R"({"iss":null})", R"({"iss":{"key":"hs256"}})"}) {
    SCOPED_TRACE(claims);
    expect_500(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", claims))));
  }
}

TEST(JwtAuthenticate, KeyClaimFromHeaderWhenAbsentFromClaims) {
  std::string header = R"({"alg":"HS256","typ":"JWT","iss":"hs256"})";
  EXPECT_EQ(accepted(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", "{}", header))))
                .credential_key,
            "hs256");
  // `false` in the claims falls through to the header, as Lua's `or` does.
  EXPECT_EQ(accepted(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256",
                                                   R"({"iss":false})", header))))
                .credential_key,
            "hs256");
}

TEST(JwtAuthenticate, ClaimsWinOverHeaderForTheKeyClaim) {
  // Claims name hs384, the header names hs256; the token is MACed for hs384.
  std::string header = R"({"alg":"HS384","iss":"hs256"})";
  EXPECT_EQ(accepted(run(Config{},
                         bearer(hs_token(Algorithm::HS384, "secret-384", iss("hs384"), header))))
                .credential_key,
            "hs384");
}

TEST(JwtAuthenticate, UnknownKey) {
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, "secret-256", iss("nobody")))),
             R"({"message":"No credentials found for given 'iss'"})");
}

TEST(JwtAuthenticate, MessagesEscapeLikeCjson) {
  Config c;
  c.key_claim_name = "https://bazaar/key";
  expect_401(run(c, bearer(hs_token(Algorithm::HS256, "secret-256", iss("hs256")))),
             R"({"message":"No mandatory 'https:\/\/bazaar\/key' in claims"})");
}

// --- algorithm and signature attacks ---------------------------------------------------------

TEST(JwtAuthenticate, AlgorithmMustMatchTheCredential) {
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS512, "secret-256", iss("hs256")))),
             R"({"message":"Invalid algorithm"})");
  expect_401(
      run(Config{}, bearer(signed_token(TestKey::shared_rsa(), Algorithm::RS512, iss("rs256")))),
      R"({"message":"Invalid algorithm"})");
}

TEST(JwtAuthenticate, AlgNoneIsRefusedBeforeAnyKeyIsConsulted) {
  for (std::string sig : {std::string(), std::string("x")}) {
    expect_401(run(Config{}, bearer(assemble(R"({"alg":"none","typ":"JWT"})", iss("rs256"), sig))),
               R"({"message":"Bad token; invalid alg"})");
  }
  // Kong's b64 decoding of an empty segment is "", so "alg":"none" with no signature at all
  // still decodes and is refused on the alg.
  expect_401(run(Config{}, bearer(b64url(R"({"alg":"none"})") + "." + b64url(iss("hs256")) + ".")),
             R"({"message":"Bad token; invalid alg"})");
}

TEST(JwtAuthenticate, HmacWithThePublicKeyAsSecretIsRefused) {
  const std::string pem = TestKey::shared_rsa().public_pem();
  // The classic confusion: an HS256 token MACed with the RS256 credential's public key.
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, pem, iss("rs256")))),
             R"({"message":"Invalid algorithm"})");
  // And with the header claiming RS256 over that HMAC signature.
  std::string input = b64url(R"({"alg":"RS256","typ":"JWT"})") + "." + b64url(iss("rs256"));
  std::string forged = input + "." + b64url(testing::hmac(Algorithm::HS256, pem, input));
  expect_401(run(Config{}, bearer(forged)), R"({"message":"Invalid signature"})");
}

TEST(JwtAuthenticate, TamperedPayloadFailsTheSignature) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256", R"(,"role":"user")"));
  std::string header = token.substr(0, token.find('.'));
  std::string sig = token.substr(token.rfind('.') + 1);
  std::string tampered = header + "." + b64url(iss("hs256", R"(,"role":"admin")")) + "." + sig;
  expect_401(run(Config{}, bearer(tampered)), R"({"message":"Invalid signature"})");

  std::string rs = signed_token(TestKey::shared_rsa(), Algorithm::RS256, iss("rs256"));
  std::string rs_tampered = rs.substr(0, rs.find('.')) + "." +
                            b64url(iss("rs256", R"(,"admin":true)")) + rs.substr(rs.rfind('.'));
  expect_401(run(Config{}, bearer(rs_tampered)), R"({"message":"Invalid signature"})");
}

TEST(JwtAuthenticate, WrongKeyOrSecretFailsTheSignature) {
  expect_401(run(Config{}, bearer(hs_token(Algorithm::HS256, "guess", iss("hs256")))),
             R"({"message":"Invalid signature"})");
  expect_401(run(Config{},
                 bearer(signed_token(TestKey::shared_rsa_other(), Algorithm::RS256, iss("rs256")))),
             R"({"message":"Invalid signature"})");
  const TestKey other_p256 = TestKey::ec("P-256");
  expect_401(run(Config{}, bearer(signed_token(other_p256, Algorithm::ES256, iss("es256")))),
             R"({"message":"Invalid signature"})");
}

TEST(JwtAuthenticate, TruncatedOrEmptySignature) {
  std::string hs = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  expect_401(run(Config{}, bearer(hs.substr(0, hs.size() - 4))),
             R"({"message":"Invalid signature"})");
  expect_401(run(Config{}, bearer(hs.substr(0, hs.rfind('.') + 1))),
             R"({"message":"Invalid signature"})");
  std::string rs = signed_token(TestKey::shared_rsa(), Algorithm::RS256, iss("rs256"));
  expect_401(run(Config{}, bearer(rs.substr(0, rs.size() - 4))),
             R"({"message":"Invalid signature"})");
}

TEST(JwtAuthenticate, WronglySizedEcdsaOrPssSignatureIsKongsAssertion) {
  std::string es = signed_token(TestKey::shared_p256(), Algorithm::ES256, iss("es256"));
  expect_500(run(Config{}, bearer(es.substr(0, es.size() - 4))));
  std::string ps = signed_token(TestKey::shared_rsa(), Algorithm::PS256, iss("ps256"));
  expect_500(run(Config{}, bearer(ps.substr(0, ps.size() - 4))));
}

TEST(JwtAuthenticate, StandardBase64AlphabetAndPaddingAreAcceptedLikeKong) {
  std::string token = hs_token(Algorithm::HS256, "secret-256", iss("hs256"));
  std::string sig = token.substr(token.rfind('.') + 1);
  for (char& c : sig) c = c == '-' ? '+' : c == '_' ? '/' : c;
  while (sig.size() % 4 != 0) sig.push_back('=');
  EXPECT_EQ(
      accepted(run(Config{}, bearer(token.substr(0, token.rfind('.') + 1) + sig))).credential_key,
      "hs256");
}

// --- registered claims -----------------------------------------------------------------------

Config verifying(std::vector<RegisteredClaim> claims) {
  Config c;
  c.claims_to_verify = std::move(claims);
  return c;
}

std::string with_times(const std::string& key, const std::string& times) {
  return hs_token(Algorithm::HS256, "secret-256", iss(key, times));
}

TEST(JwtAuthenticate, ExpiredToken) {
  Config c = verifying({RegisteredClaim::exp});
  expect_401(run(c, bearer(with_times("hs256", ",\"exp\":" + std::to_string(kNow - 1)))),
             R"({"exp":"token expired"})");
  // exp is the first instant the token is no longer valid.
  expect_401(run(c, bearer(with_times("hs256", ",\"exp\":" + std::to_string(kNow)))),
             R"({"exp":"token expired"})");
  accepted(run(c, bearer(with_times("hs256", ",\"exp\":" + std::to_string(kNow + 1)))));
  // Unverified claims are not looked at.
  accepted(run(Config{}, bearer(with_times("hs256", ",\"exp\":1"))));
}

TEST(JwtAuthenticate, NotYetValidToken) {
  Config c = verifying({RegisteredClaim::nbf});
  expect_401(run(c, bearer(with_times("hs256", ",\"nbf\":" + std::to_string(kNow + 1)))),
             R"({"nbf":"token not valid yet"})");
  accepted(run(c, bearer(with_times("hs256", ",\"nbf\":" + std::to_string(kNow)))));
}

TEST(JwtAuthenticate, ClaimsMustBeNumbers) {
  Config c = verifying({RegisteredClaim::exp, RegisteredClaim::nbf});
  expect_401(run(c, bearer(with_times("hs256", R"(,"exp":"tomorrow","nbf":0)"))),
             R"({"exp":"must be a number"})");
  expect_401(run(c, bearer(with_times("hs256", ""))),
             R"({"exp":"must be a number","nbf":"must be a number"})");
  expect_401(run(c, bearer(with_times("hs256", ",\"exp\":1,\"nbf\":" + std::to_string(kNow + 5)))),
             R"({"exp":"token expired","nbf":"token not valid yet"})");
}

TEST(JwtAuthenticate, ClaimsAreCheckedOnlyAfterTheSignature) {
  Config c = verifying({RegisteredClaim::exp});
  expect_401(run(c, bearer(hs_token(Algorithm::HS256, "wrong", iss("hs256", ",\"exp\":1")))),
             R"({"message":"Invalid signature"})");
}

TEST(JwtAuthenticate, MaximumExpiration) {
  Config c = verifying({RegisteredClaim::exp});
  c.maximum_expiration = 3600;
  accepted(run(c, bearer(with_times("hs256", ",\"exp\":" + std::to_string(kNow + 3600)))));
  Rejection r =
      rejected(run(c, bearer(with_times("hs256", ",\"exp\":" + std::to_string(kNow + 3601)))));
  EXPECT_EQ(r.status, 401);  // 403 before Kong 2.x's switch; 401 throughout 3.x
  EXPECT_EQ(r.body, R"({"exp":"exceeds maximum allowed expiration"})");
  EXPECT_EQ(r.www_authenticate, R"(Bearer error="invalid_token")");
}

// --- secret_is_base64 ------------------------------------------------------------------------

// cjson, which Kong encodes responses with, escapes '/', hence "key\/secret".
TEST(JwtAuthenticate, Base64Secrets) {
  Config c;
  c.secret_is_base64 = true;
  EXPECT_EQ(
      accepted(run(c, bearer(hs_token(Algorithm::HS256, "blob data", iss("b64"))))).credential_key,
      "b64");
  expect_401(run(c, bearer(hs_token(Algorithm::HS256, "YmxvYiBkYXRh", iss("b64")))),
             R"({"message":"Invalid signature"})");
  expect_401(run(c, bearer(hs_token(Algorithm::HS256, "not base64!", iss("b64-bad")))),
             R"({"message":"Invalid key\/secret"})");
  // A PEM never survives Kong's base64 decoding.
  expect_401(run(c, bearer(signed_token(TestKey::shared_rsa(), Algorithm::RS256, iss("rs256")))),
             R"({"message":"Invalid key\/secret"})");
  // Without the option, the stored text itself is the secret.
  accepted(run(Config{}, bearer(hs_token(Algorithm::HS256, "YmxvYiBkYXRh", iss("b64")))));
}

// --- anonymous and preflight -----------------------------------------------------------------

TEST(JwtAuthenticate, AnonymousReplacesEveryRejection) {
  Config c;
  c.anonymous = "guest";
  for (const Request& r :
       {Request{}, bearer("garbage"), bearer(hs_token(Algorithm::HS256, "wrong", iss("hs256")))}) {
    Outcome outcome = authenticate(c, r, keys(), kNowTp);
    const auto* anonymous = std::get_if<Anonymous>(&outcome);
    ASSERT_NE(anonymous, nullptr);
    EXPECT_EQ(anonymous->consumer, "guest");
  }
  EXPECT_EQ(accepted(run(c, bearer(hs_token(Algorithm::HS256, "secret-256", iss("hs256")))))
                .credential_key,
            "hs256");
}

TEST(JwtAuthenticate, AnonymousDoesNotSwallowUnexpectedErrors) {
  Config c;
  c.anonymous = "guest";
  expect_500(run(c, bearer(hs_token(Algorithm::HS256, "secret-256", R"({"iss":7})"))));
}

TEST(JwtAuthenticate, AnonymousSkipsWhenAnEarlierPluginAuthenticated) {
  Config c;
  c.anonymous = "guest";
  EXPECT_TRUE(std::holds_alternative<Skipped>(run(c, Request{}, EarlierCredential::present)));
  // Without anonymous (logical AND) the plugin still insists on its own token.
  expect_401(run(Config{}, Request{}, EarlierCredential::present), R"({"message":"Unauthorized"})");
}

TEST(JwtAuthenticate, Preflight) {
  Request options{"OPTIONS", "/orders", "", {}, "", ""};
  expect_401(run(Config{}, options), R"({"message":"Unauthorized"})");
  Config c;
  c.run_on_preflight = false;
  EXPECT_TRUE(std::holds_alternative<Skipped>(run(c, options)));
  expect_401(run(c, Request{"GET", "/", "", {}, "", ""}), R"({"message":"Unauthorized"})");
}

}  // namespace
}  // namespace bazaar::gateway::jwt
