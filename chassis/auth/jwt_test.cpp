#include "chassis/auth/jwt.hpp"

#include <gtest/gtest.h>

#include <unistd.h>
#include <array>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <string>

#include "chassis/auth/base64url.hpp"

namespace bazaar::auth {
namespace {

constexpr long long kNow = 1'700'000'000;
constexpr const char* kIssuer = "bazaar-identity";

// RFC 7517 Appendix A.2's RSA key (also the RFC 7638 §3.1 example) as PKCS#1 PEM.
// RFC 7638 publishes its thumbprint, which gives kid() a known answer.
constexpr const char* kRfc7517Key = R"pem(-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78L
hWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc/BJECPebWKRXjBZCiFV4n3oknj
hMstn64tZ/2W+5JsGY4Hc5n9yBXArwl93lqt7/RN5w6Cf0h4QyQ5v+65YGjQR0/F
DW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbO
pbISD08qNLyrdkt+bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ+G/xBni
Iqbw0Ls1jF44+csFCur+kEgU8awapJzKnqDKgwIDAQABAoIBAF+HE7XiWP4J+BWD
7FwfK3V4seb8LINRSzeRNxGhukSaFR/hyyyg/TO3ceaKOxlEZJ3IZ60cHlJAu4U+
XySzNFmxQCjS1mNr7+wejal0s1L8U9P2En6oo8Kd0U85QWgsVqeHaBZOTdqPBsv5
xzSq6AAyJCeOqUVKIbF8sG0XgHWGjMBbPbb/Hf3D1WN4tO2t7fDDekzcJtHUmsJv
b+O1Igpd0pOWYhu8aIzy7uLG4NVNo8eCAUzQc52yUsxRyuuo0/G4JLqrJNBo7JAy
ZNfWeKsI8G7J5+I9lgYot0S/lLNpRlZGPH5Bc5ntc9B2yJH89GOpqpzmLanNF+I3
3CqAAvECgYEA83i+7IvMGXoMXCskv73TKr8637FiO7Z27zv8oj6pbWUQyLPQBQxt
PVnwD20R+60eTDmD2ujnMt5PoqMrm8RfmNhVWDtjjMmCMjOpSXicFHj7XOuVIYQy
qVWlWEh6dN36GVZYk93N8Bc9vY41xy8B9RzzOGVQzXvNEvn7O0nVbfsCgYEA3dfO
R9cuYq+0S+mkFLzgItgMEfFzB2q3hWehMuG0oCuqnb3vobLyumqjVZQO1dIrdwgT
nCdpYzBcOfW5r370AFXjiWft/NGEiovonizhKpo9VVS78TzFgxkIdrecRezsZ+1k
Yd/s1qDbxtkDEgfAITAG9LUnADun4vIcb6yelxkCgYAbiw9eRzphr3Lyglb38guP
jG6mm7SXOL8ftVORLzGPlJ1fdygTSiKZjDEiLZ6ZMC57RQ5rl2mAUbIEnhzy1DZU
XjTZdG6AoNM/xqRiEWjm0ADvtB782a25hlzcLebcjbgbYa9HmxIPFTIA3bOrwt+f
0RSazqtjc5vxh6IqROIGPQKBgQCz2UAf1+CAGygVHw5pzZH8TaDDbzatPaQY4CG8
iWURMTV5+sDqG5RS8x8FwymfyWp5bq/POdhjlJJAXukx0L9qAjecbwhunUFRvQlS
KtpE2pR8uFxBv930YXgOHt7vhZtGyhtGie6NNg3XEJo/pM7rWO9atf4vXy3FfDj3
hD9yCQKBgBsjP6eia18kos9baBYCm1lfiXSN40OMqbva2zFsd60CQX5rdBaGM4FC
GRFRRHDqsHpkTfNc6AwGmvgZNCljRg4yR2Q3Q5hYVtwDe5SPqbsZP5h2Ridda8ck
fDueVy0nt0j5kXysGSOslNuGcb0ChWCLXZXVChszuiGus0yoQFUV
-----END RSA PRIVATE KEY-----
)pem";

constexpr const char* kRfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";
constexpr const char* kRfc7517Modulus =
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPe"
    "bWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY3"
    "68QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4"
    "lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";

// Fixtures for rejection: a 1024-bit RSA key, a P-256 key and that key encrypted.
constexpr const char* kRsa1024Key = R"pem(-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBANc2c+QHOCB87Jqh
nJJ5w8zlICREGL2kPArrslvhvJlErV39E93HqpX0/WBa31TijA+ArOhVacLWXTB+
5S47eMT2jjjy4Hf1us+C0VGocwasnILUCG6B+oaTi23vulGdO8l2AIsfNoPd73KE
+k1+mEWX4maOKUS1iDGKT/zF04CtAgMBAAECgYEAg3pq1rZqXb60NcviAcKOElEw
j7difgkl/W39KxD/zYsddzwztNxUpQRk/0bFBfDZrGbqO45i7HtVt1ju3o3Kuzq8
NmQA6kQjpIpgpM3bEQySZ4ngKvKUbvKY69yflqSRq81o8WdOv1G7UdPDxdUE/J9+
vDF2TZhmyyTDFG6AnYECQQD4XD/FTWQflbCZOck0KwJD+ZsggDa72fz5FB+p5ZRA
N/jPvmlIrbKbjvJP9bTNL1uGC1mH+EYDbYxEhjrMPxf9AkEA3dUtcMq6fmvBqc+z
1xgICvS/Iu3P5Lg3nSb+v3+Gsbt/UxgbKUISLh3uGVW2Xlj1FvjZ5afqSCQ2vL1B
oDyycQJAbMvUb7TwSFnFi8nhlwXEL0zXpMwlrfLXO7GSEVXttJgQWcj6zAizNivP
gDGNa1j0ierM5KBg4z2I9beraC+3bQJAPkZAMW/YFvFtNpymYfXPHDRFDCsyt4S3
qBhwX5YPXAnE3rDfvx9bNzMTymzze10BwOcvVHdlH8d6zlVa/P7NIQJAA3qKEe6i
88CyWvrBUHnlkWXkkDG8E/e83MAx7lLBXPZsz99I6ri6nLPmagxeUcZ2bZhR7mqD
+fSMEKKzKUhAZA==
-----END PRIVATE KEY-----
)pem";
constexpr const char* kEcKey = R"pem(-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgqZGgCPul//FdZpZe
wfgtBJEg8NcB+H00+eiUvSeYuL6hRANCAASX0w7jo+KQ8dO88NsD7KjNNqmoj/0t
iJ8l6NpS8+kIb9zlqMBcx9kbI8gjUeNEnvj3zAQ2i12jZV33djGBviC8
-----END PRIVATE KEY-----
)pem";
constexpr const char* kEncryptedKey = R"pem(-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAjl3WDHPWhj7gICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEECiEKp7LBqSGshibKgrjRTYEgZCH
x4rGqS/DgkfaVMPNMjYDbkQ1RiuUgAqhT9i2VcGXWXz2/opViugUJRMp2bCWgNWy
SomASSZ7wvaY8h8YatLu17EF9H4MtThqgF98oI1Do844NOx3Qj0X+xGgyNeoeNSF
qdl0JjIFd49JCXbV6EKqL3HYY0i5XHzCSDBl26eSqEA7DFsmFa2riW9TB3zIKPw=
-----END ENCRYPTED PRIVATE KEY-----
)pem";

// Key generation is the slow part, so every test shares these.
const RsaKey& key() {
  static const RsaKey k = RsaKey::generate();
  return k;
}
const RsaKey& other_key() {
  static const RsaKey k = RsaKey::generate();
  return k;
}

Claims claims(long long iat = kNow, long long exp = kNow + 900) {
  return Claims{kIssuer, "4b7c1c9e-8f3a-4d2b-9c61-2f0e5a7d3b10", "customer", iat, exp};
}

std::string error_of(const std::variant<Claims, VerifyError>& r) {
  if (const auto* e = std::get_if<VerifyError>(&r)) return std::string(to_string(*e));
  return "ok";
}

std::string b64(std::string_view s) { return base64url_encode(s); }

std::string signature_of(const std::string& token) { return token.substr(token.rfind('.') + 1); }

// Reads a string member of a flat JSON object as the code under test writes it.
std::string field(const std::string& json, const std::string& name) {
  std::string marker = "\"" + name + "\":\"";
  auto at = json.find(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  return json.substr(at, json.find('"', at) - at);
}

// A self-contained HMAC-SHA256, so that the algorithm-confusion test can forge a token exactly
// as an attacker would without linking a crypto library into the test.
std::string sha256(const std::string& msg) {
  static constexpr std::array<std::uint32_t, 64> k = {
      0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
      0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
      0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
      0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
      0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
      0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
      0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
      0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
      0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
      0xc67178f2};
  std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  auto rotr = [](std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); };
  std::string m = msg;
  std::uint64_t bit_len = static_cast<std::uint64_t>(msg.size()) * 8;
  m.push_back(static_cast<char>(0x80));
  while (m.size() % 64 != 56) m.push_back('\0');
  for (int i = 7; i >= 0; --i) m.push_back(static_cast<char>(bit_len >> (8 * i)));
  for (std::size_t chunk = 0; chunk < m.size(); chunk += 64) {
    std::array<std::uint32_t, 64> w{};
    for (int i = 0; i < 16; ++i) {
      for (int j = 0; j < 4; ++j) {
        w[i] = (w[i] << 8) | static_cast<unsigned char>(m[chunk + 4 * i + j]);
      }
    }
    for (int i = 16; i < 64; ++i) {
      std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
      std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    auto v = h;
    for (int i = 0; i < 64; ++i) {
      std::uint32_t s1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
      std::uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
      std::uint32_t t1 = v[7] + s1 + ch + k[i] + w[i];
      std::uint32_t s0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
      std::uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
      std::uint32_t t2 = s0 + maj;
      v = {t1 + t2, v[0], v[1], v[2], v[3] + t1, v[4], v[5], v[6]};
    }
    for (int i = 0; i < 8; ++i) h[i] += v[i];
  }
  std::string out;
  for (std::uint32_t word : h) {
    for (int i = 3; i >= 0; --i) out.push_back(static_cast<char>(word >> (8 * i)));
  }
  return out;
}

std::string hmac_sha256(std::string key, const std::string& msg) {
  if (key.size() > 64) key = sha256(key);
  key.resize(64, '\0');
  std::string ipad = key, opad = key;
  for (int i = 0; i < 64; ++i) {
    ipad[i] = static_cast<char>(ipad[i] ^ 0x36);
    opad[i] = static_cast<char>(opad[i] ^ 0x5c);
  }
  return sha256(opad + sha256(ipad + msg));
}

std::string hex(const std::string& bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(digits[c >> 4]);
    out.push_back(digits[c & 0xF]);
  }
  return out;
}

const std::string kPayload =
    R"({"iss":"bazaar-identity","sub":"u1","role":"admin","iat":1700000000,"exp":1700000900})";

TEST(Jwt, SignVerifyRoundTrip) {
  auto result = key().verify(key().sign(claims()), kNow, kIssuer);
  ASSERT_EQ(error_of(result), "ok");
  const Claims& c = std::get<Claims>(result);
  EXPECT_EQ(c.iss, kIssuer);
  EXPECT_EQ(c.sub, claims().sub);
  EXPECT_EQ(c.role, "customer");
  EXPECT_EQ(c.iat, kNow);
  EXPECT_EQ(c.exp, kNow + 900);
}

TEST(Jwt, TokenHasTheAdvertisedHeaderAndPayload) {
  std::string token = key().sign(claims());
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  ASSERT_NE(dot2, std::string::npos);
  EXPECT_EQ(token.find('.', dot2 + 1), std::string::npos);
  EXPECT_EQ(base64url_decode(token.substr(0, dot1)),
            R"({"alg":"RS256","typ":"JWT","kid":")" + key().kid() + R"("})");
  EXPECT_EQ(base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1)),
            R"({"iss":"bazaar-identity","sub":")" + claims().sub +
                R"(","role":"customer","iat":1700000000,"exp":1700000900})");
  EXPECT_EQ(base64url_decode(signature_of(token))->size(), 256u);
}

TEST(Jwt, SigningIsDeterministic) {
  // RS256 is PKCS#1 v1.5: the same claims give the same token, unlike PS256.
  EXPECT_EQ(key().sign(claims()), key().sign(claims()));
}

TEST(Jwt, ClaimsNeedingJsonEscapingRoundTrip) {
  Claims c = claims();
  c.sub = "quote\" backslash\\ newline\n \xc3\xa9";
  auto result = key().verify(key().sign(c), kNow, kIssuer);
  ASSERT_EQ(error_of(result), "ok");
  EXPECT_EQ(std::get<Claims>(result).sub, c.sub);
}

TEST(Jwt, TamperedPayloadIsBadSignature) {
  std::string token = key().sign(claims());
  auto dot1 = token.find('.');
  auto dot2 = token.find('.', dot1 + 1);
  std::string payload = *base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
  payload.replace(payload.find("customer"), 8, "admin");
  std::string forged = token.substr(0, dot1 + 1) + b64(payload) + token.substr(dot2);
  EXPECT_EQ(error_of(key().verify(forged, kNow, kIssuer)), "bad_signature");
}

TEST(Jwt, TamperedSignatureIsBadSignature) {
  std::string token = key().sign(claims());
  std::size_t mid = token.rfind('.') + 100;
  token[mid] = token[mid] == 'A' ? 'B' : 'A';
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "bad_signature");
  std::string whole = key().sign(claims());
  std::string sig = *base64url_decode(signature_of(whole));
  std::string cut = whole.substr(0, whole.rfind('.') + 1) + b64(sig.substr(0, sig.size() - 1));
  EXPECT_EQ(error_of(key().verify(cut, kNow, kIssuer)), "bad_signature");
  EXPECT_EQ(error_of(key().verify(whole.substr(0, whole.rfind('.') + 1), kNow, kIssuer)),
            "bad_signature");
}

TEST(Jwt, AlgNoneIsBadAlgorithm) {
  std::string payload = b64(kPayload);
  for (std::string header :
       {R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})", R"({"alg":"NONE"})"}) {
    std::string token = b64(header) + "." + payload + ".";
    EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "bad_algorithm") << header;
  }
}

TEST(Jwt, AlgNoneWithAValidSignatureIsStillBadAlgorithm) {
  // Swap only the header of a genuine token; the signature no longer covers it anyway, but the
  // algorithm check must not depend on that.
  std::string token = key().sign(claims());
  std::string forged = b64(R"({"alg":"none","typ":"JWT"})") + token.substr(token.find('.'));
  EXPECT_EQ(error_of(key().verify(forged, kNow, kIssuer)), "bad_algorithm");
}

TEST(Jwt, SelfCheckHmacSha256AgainstRfc4231) {
  EXPECT_EQ(hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Jwt, Hs256KeyedWithThePublicPemIsBadAlgorithm) {
  // The classic algorithm-confusion forgery: the public key is public, so an HMAC keyed with
  // it is something anyone can compute.
  std::string input =
      b64(R"({"alg":"HS256","typ":"JWT","kid":")" + key().kid() + R"("})") + "." + b64(kPayload);
  std::string token = input + "." + b64(hmac_sha256(key().public_pem(), input));
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "bad_algorithm");
}

TEST(Jwt, OnlyExactlyRs256IsAccepted) {
  std::string rest = "." + b64(kPayload) + "." + signature_of(key().sign(claims()));
  for (std::string header : {R"({"alg":"RS512"})", R"({"alg":"PS256"})", R"({"alg":"ES256"})",
                             R"({"alg":"rs256"})", R"({"alg":"RS256 "})", R"({"alg":256})",
                             R"({"alg":null})", R"({"typ":"JWT"})", R"({"alg":["RS256"]})"}) {
    EXPECT_EQ(error_of(key().verify(b64(header) + rest, kNow, kIssuer)), "bad_algorithm") << header;
  }
}

TEST(Jwt, TokenFromAnotherKeyIsBadSignature) {
  std::string token = other_key().sign(claims());
  EXPECT_EQ(error_of(other_key().verify(token, kNow, kIssuer)), "ok");
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "bad_signature");
}

TEST(Jwt, ExpiryHasNoLeeway) {
  std::string token = key().sign(claims(kNow - 900, kNow));
  EXPECT_EQ(error_of(key().verify(token, kNow - 1, kIssuer)), "ok");
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "expired");
  EXPECT_EQ(error_of(key().verify(token, kNow + 3600, kIssuer)), "expired");
}

TEST(Jwt, IssuedInTheFutureAllowsSixtySecondsOfSkew) {
  std::string token = key().sign(claims(kNow + 60, kNow + 960));
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "ok");
  token = key().sign(claims(kNow + 61, kNow + 961));
  EXPECT_EQ(error_of(key().verify(token, kNow, kIssuer)), "not_yet_valid");
}

TEST(Jwt, WrongIssuer) {
  std::string token = key().sign(claims());
  EXPECT_EQ(error_of(key().verify(token, kNow, "someone-else")), "wrong_issuer");
  EXPECT_EQ(error_of(key().verify(token, kNow, "")), "wrong_issuer");
  Claims c = claims();
  c.iss = "bazaar-identity-staging";
  EXPECT_EQ(error_of(key().verify(key().sign(c), kNow, kIssuer)), "wrong_issuer");
}

TEST(Jwt, WrongSegmentCountIsMalformed) {
  std::string token = key().sign(claims());
  for (std::string bad :
       {std::string(), std::string("."), std::string(".."), std::string("abc"),
        token.substr(0, token.rfind('.')), token + ".", token + ".abc", "." + token}) {
    EXPECT_EQ(error_of(key().verify(bad, kNow, kIssuer)), "malformed") << bad;
  }
}

TEST(Jwt, UndecodableSegmentsAreMalformed) {
  std::string token = key().sign(claims());
  EXPECT_EQ(error_of(key().verify("%%%" + token.substr(token.find('.')), kNow, kIssuer)),
            "malformed");
  EXPECT_EQ(error_of(key().verify(token + "=", kNow, kIssuer)), "malformed");
  EXPECT_EQ(error_of(key().verify(" " + token, kNow, kIssuer)), "malformed");
  std::string header_only = token.substr(0, token.find('.') + 1);
  EXPECT_EQ(error_of(key().verify(header_only + "!!!!." + signature_of(token), kNow, kIssuer)),
            "malformed");
}

TEST(Jwt, BadHeaderJsonIsMalformed) {
  std::string rest = "." + b64(kPayload) + ".c2ln";
  for (std::string header :
       {"", "not json", "[]", R"("RS256")", R"({"alg":"RS256"} trailing)", R"({"alg":"RS256")"}) {
    EXPECT_EQ(error_of(key().verify(b64(header) + rest, kNow, kIssuer)), "malformed") << header;
  }
  std::string crit = R"({"alg":"RS256","crit":["exp"],"exp":1})";
  EXPECT_EQ(error_of(key().verify(b64(crit) + rest, kNow, kIssuer)), "malformed");
}

TEST(Jwt, PayloadWithoutRequiredClaimsIsMalformed) {
  // Structure is checked before the signature, so these need no valid signature.
  std::string head = b64(R"({"alg":"RS256","typ":"JWT"})") + ".";
  std::string tail = "." + signature_of(key().sign(claims()));
  for (std::string payload : {
           R"([])",
           R"("sub")",
           R"({"iss":"bazaar-identity","role":"admin","exp":1700000900})",
           R"({"iss":"bazaar-identity","sub":"u1","exp":1700000900})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin"})",
           R"({"iss":"bazaar-identity","sub":42,"role":"admin","exp":1700000900})",
           R"({"iss":"bazaar-identity","sub":"u1","role":null,"exp":1700000900})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin","exp":"1700000900"})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin","exp":1e400})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin","exp":18446744073709551615})",
           R"({"iss":7,"sub":"u1","role":"admin","exp":1700000900})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin","exp":1700000900,"iat":"x"})",
           R"({"iss":"bazaar-identity","sub":"u1","role":"admin","exp":1700000900,"nbf":true})",
       }) {
    EXPECT_EQ(error_of(key().verify(head + b64(payload) + tail, kNow, kIssuer)), "malformed")
        << payload;
  }
}

TEST(Jwt, OversizedTokenIsMalformed) {
  std::string token = key().sign(claims());
  std::string padded =
      token.substr(0, token.find('.')) + std::string(8192, 'A') + token.substr(token.find('.'));
  EXPECT_EQ(error_of(key().verify(padded, kNow, kIssuer)), "malformed");
}

TEST(Jwt, JwksAdvertisesTheKey) {
  std::string jwks = key().jwks_json();
  EXPECT_TRUE(jwks.starts_with(R"({"keys":[{"kty":"RSA","use":"sig","alg":"RS256","kid":")"))
      << jwks;
  EXPECT_EQ(field(jwks, "kid"), key().kid());
  auto n = base64url_decode(field(jwks, "n"));
  auto e = base64url_decode(field(jwks, "e"));
  ASSERT_TRUE(n.has_value());
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(n->size(), 256u);
  EXPECT_NE(static_cast<unsigned char>((*n)[0]) & 0x80, 0) << "2048-bit modulus, no padding";
  EXPECT_EQ(*e, std::string("\x01\x00\x01", 3));
}

TEST(Jwt, KidIsTheRfc7638Thumbprint) {
  RsaKey rfc = RsaKey::from_private_pem(kRfc7517Key);
  EXPECT_EQ(rfc.kid(), kRfc7638Thumbprint);
  EXPECT_EQ(field(rfc.jwks_json(), "n"), kRfc7517Modulus);
  EXPECT_EQ(field(rfc.jwks_json(), "e"), "AQAB");
  EXPECT_EQ(key().kid().size(), 43u);
  EXPECT_NE(key().kid(), other_key().kid());
}

TEST(Jwt, PemsRoundTrip) {
  std::string pem = key().private_pem();
  EXPECT_TRUE(pem.starts_with("-----BEGIN PRIVATE KEY-----\n")) << pem;
  EXPECT_TRUE(key().public_pem().starts_with("-----BEGIN PUBLIC KEY-----\n"));
  RsaKey reloaded = RsaKey::from_private_pem(pem);
  EXPECT_EQ(reloaded.kid(), key().kid());
  EXPECT_EQ(reloaded.public_pem(), key().public_pem());
  EXPECT_EQ(error_of(key().verify(reloaded.sign(claims()), kNow, kIssuer)), "ok");
}

TEST(Jwt, AcceptsPkcs1AndPkcs8Pem) {
  // Keys made with older tooling (`openssl genrsa` before 3.0) are PKCS#1.
  std::string pkcs1 = kRfc7517Key;
  ASSERT_TRUE(pkcs1.starts_with("-----BEGIN RSA PRIVATE KEY-----"));
  RsaKey rfc = RsaKey::from_private_pem(pkcs1);
  std::string pkcs8 = rfc.private_pem();
  ASSERT_TRUE(pkcs8.starts_with("-----BEGIN PRIVATE KEY-----"));
  EXPECT_EQ(RsaKey::from_private_pem(pkcs8).kid(), kRfc7638Thumbprint);
}

std::string message_of(std::string_view pem) {
  try {
    RsaKey::from_private_pem(pem);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no exception";
}

TEST(Jwt, UnusablePemsThrowWithAReason) {
  EXPECT_TRUE(message_of("").starts_with("RSA private key: no PEM private key found"))
      << message_of("");
  EXPECT_TRUE(message_of("garbage").starts_with("RSA private key: no PEM private key found"));
  EXPECT_TRUE(message_of(key().public_pem()).starts_with("RSA private key: no PEM private key"));
  EXPECT_EQ(message_of(kEcKey), "RSA private key: expected an RSA key, got EC");
  EXPECT_EQ(message_of(kRsa1024Key),
            "RSA private key: 1024-bit RSA key is below the 2048-bit minimum");
  EXPECT_EQ(message_of(kEncryptedKey),
            "RSA private key: the key is passphrase-protected, which is not supported");
}

class TempFile {
 public:
  explicit TempFile(const std::string& contents) {
    char name[] = "/tmp/bazaar_jwt_test_XXXXXX";
    int fd = mkstemp(name);
    if (fd < 0) throw std::runtime_error("mkstemp failed");
    close(fd);
    path_ = name;
    std::ofstream(path_, std::ios::binary) << contents;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(Jwt, LoadsKeyFromFile) {
  TempFile file(key().private_pem());
  EXPECT_EQ(RsaKey::from_private_pem_file(file.path()).kid(), key().kid());
}

TEST(Jwt, FileErrorsNameThePath) {
  const std::string missing = "/nonexistent/bazaar/jwt.pem";
  try {
    RsaKey::from_private_pem_file(missing);
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()),
              "RSA private key file '" + missing + "': cannot open: No such file or directory");
  }
  TempFile garbage("not a key");
  try {
    RsaKey::from_private_pem_file(garbage.path());
    ADD_FAILURE() << "no exception";
  } catch (const std::runtime_error& e) {
    EXPECT_TRUE(std::string(e.what()).starts_with("RSA private key file '" + garbage.path() +
                                                  "': no PEM private key found"))
        << e.what();
  }
}

TEST(Jwt, GenerateRejectsWeakSizes) {
  EXPECT_THROW(RsaKey::generate(1024), std::invalid_argument);
  EXPECT_THROW(RsaKey::generate(0), std::invalid_argument);
}

TEST(Jwt, KeysAreMovable) {
  RsaKey a = RsaKey::from_private_pem(kRfc7517Key);
  RsaKey b = std::move(a);
  EXPECT_EQ(b.kid(), kRfc7638Thumbprint);
  RsaKey c = RsaKey::from_private_pem(key().private_pem());
  c = std::move(b);
  EXPECT_EQ(c.kid(), kRfc7638Thumbprint);
  EXPECT_EQ(error_of(c.verify(c.sign(claims()), kNow, kIssuer)), "ok");
}

TEST(Jwt, VerifyErrorNames) {
  EXPECT_EQ(to_string(VerifyError::malformed), "malformed");
  EXPECT_EQ(to_string(VerifyError::bad_algorithm), "bad_algorithm");
  EXPECT_EQ(to_string(VerifyError::bad_signature), "bad_signature");
  EXPECT_EQ(to_string(VerifyError::expired), "expired");
  EXPECT_EQ(to_string(VerifyError::not_yet_valid), "not_yet_valid");
  EXPECT_EQ(to_string(VerifyError::wrong_issuer), "wrong_issuer");
}

}  // namespace
}  // namespace bazaar::auth
