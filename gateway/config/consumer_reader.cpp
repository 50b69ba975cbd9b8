#include <array>

#include <openssl/rand.h>

#include "gateway/config/common_fields.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/config/entity_readers.hpp"
#include "gateway/config/pem_key.hpp"

namespace bazaar::gateway::config {
namespace {

// Kong 3.x's jwt_secrets.algorithm one_of (kong/plugins/jwt/daos.lua).
constexpr std::array<std::string_view, 8> kJwtAlgorithms = {"HS256", "HS384", "HS512", "RS256",
                                                            "RS384", "RS512", "ES256", "ES384"};

// Kong's utils.random_string: 32 lower-case hex digits from a v4 UUID without dashes.
std::string random_credential() {
  std::array<unsigned char, 16> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
    throw ConfigError("jwt_secrets: could not generate a random key");
  }
  constexpr std::string_view kHex = "0123456789abcdef";
  std::string out;
  for (unsigned char byte : bytes) {
    out += kHex[byte >> 4];
    out += kHex[byte & 0xF];
  }
  return out;
}

}  // namespace

void read_consumer(const boost::json::value& value, const std::string& location,
                   DeclarativeDraft& draft) {
  FieldReader reader(value, "consumer at " + location);
  Consumer consumer;
  auto name = reader.peek_string("username");
  if (!name) name = reader.peek_string("custom_id");
  if (!name) name = reader.peek_string("id");
  reader.relabel(entity_label("consumer", name, location));
  reader.expect_only({"id", "created_at", "updated_at", "_comment", "_ignore", "username",
                      "username_lower", "custom_id", "tags", "plugins", "jwt_secrets"});
  consumer.id = read_id_and_bookkeeping(reader);
  consumer.username = reader.string("username");
  consumer.custom_id = reader.string("custom_id");
  reader.ignore("username_lower");  // Kong derives it from username
  if (!consumer.username && !consumer.custom_id) {
    throw ConfigError(reader.label() + ": at least one of these fields must be non-empty: " +
                      "'custom_id', 'username'");
  }
  consumer.tags = read_tags(reader);

  std::size_t index = draft.consumers.size();
  draft.consumers.push_back({std::move(consumer), reader.label()});
  Parent self{Parent::Kind::consumer, index, reader.label()};
  read_each(reader, "jwt_secrets", location + ".",
            [&](const auto& v, const std::string& at) { read_jwt_secret(v, at, self, draft); });
  read_each(reader, "plugins", location + ".",
            [&](const auto& v, const std::string& at) { read_plugin(v, at, self, draft); });
  reader.finish();
}

void read_jwt_secret(const boost::json::value& value, const std::string& location,
                     const Parent& parent, DeclarativeDraft& draft) {
  FieldReader reader(value, "jwt_secret at " + location);
  JwtSecretDraft out;
  JwtSecret& secret = out.secret;
  auto label_key = reader.peek_string("key");
  reader.relabel(
      entity_label("jwt_secret", label_key ? label_key : reader.peek_string("id"), location));
  reader.expect_only({"id", "created_at", "_comment", "_ignore", "consumer", "key", "secret",
                      "rsa_public_key", "algorithm", "tags"});
  secret.id = read_id_and_bookkeeping(reader);
  auto key = reader.string("key");

  secret.key = key ? *key : random_credential();
  secret.secret = reader.string("secret").value_or(random_credential());
  if (auto algorithm = reader.string("algorithm")) {
    if (std::find(kJwtAlgorithms.begin(), kJwtAlgorithms.end(), *algorithm) ==
        kJwtAlgorithms.end()) {
      reader.fail("algorithm",
                  "expected one of: HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384");
    }
    secret.algorithm = *algorithm;
  }
  secret.rsa_public_key = reader.string("rsa_public_key");
  if (!secret.algorithm.starts_with("HS")) {
    // Kong's entity check names only RS*, but an ES* secret without a key can never verify.
    if (!secret.rsa_public_key) reader.fail("rsa_public_key", "required field missing");
    if (!is_valid_pem_key(*secret.rsa_public_key)) reader.fail("rsa_public_key", "invalid key");
  }
  secret.tags = read_tags(reader);

  if (parent.kind == Parent::Kind::consumer) {
    forbid_reference(reader, "consumer", parent.label);
    out.parent_consumer = parent.index;
  } else {
    out.consumer_ref = read_reference(reader, "consumer");
    if (!out.consumer_ref) reader.fail("consumer", "required field missing");
  }
  reader.finish();
  out.label = reader.label();
  draft.jwt_secrets.push_back(std::move(out));
}

}  // namespace bazaar::gateway::config
