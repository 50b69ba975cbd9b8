#include "gateway/plugins/jwt/authenticate.hpp"

#include <boost/json.hpp>
#include <optional>
#include <string_view>
#include <utility>

#include "gateway/plugins/jwt/claims_check.hpp"
#include "gateway/plugins/jwt/decoded_tokens.hpp"
#include "gateway/plugins/jwt/response_body.hpp"
#include "gateway/plugins/jwt/token_decoder.hpp"
#include "gateway/plugins/jwt/token_sources.hpp"

namespace bazaar::gateway::jwt {
namespace json = boost::json;

namespace {

// handler.lua's WWW-Authenticate value: "Bearer" (with the realm, if configured) for a missing
// token, plus error="invalid_token" for every other failure. Built only on failure.
std::string challenge(const Config& c, bool invalid_token) {
  std::string value = c.realm ? "Bearer realm=\"" + *c.realm + "\"" : "Bearer";
  if (invalid_token) value += " error=\"invalid_token\"";
  return value;
}

Rejection unauthorized(const Config& config, std::string_view message, bool invalid_token = true) {
  return {401, message_body(message), challenge(config, invalid_token)};
}

// Where Lua's `claims[name] or header[name]` lands. `false` and absent both fall through, as
// they do in Lua.
const json::value* key_claim(const json::value& claims, const json::object& header,
                             std::string_view name) {
  auto usable = [](const json::value* v) {
    return v != nullptr && !(v->is_bool() && !v->get_bool());
  };
  const json::value* v = claims.is_object() ? claims.as_object().if_contains(name) : nullptr;
  if (usable(v)) return v;
  v = header.if_contains(name);
  return usable(v) ? v : nullptr;
}

Outcome do_authentication(const Config& config, const Request& request, const KeyRing& keys,
                          long long now) {
  const std::string& claim_name = config.key_claim_name;

  RetrievedToken found = retrieve_token(config, request);
  switch (found.kind) {
    case RetrievedToken::Kind::none:
      return unauthorized(config, "Unauthorized", false);
    case RetrievedToken::Kind::multiple:
      return unauthorized(config, "Multiple tokens provided");
    case RetrievedToken::Kind::unrecognizable:
      return unauthorized(config, "Unrecognizable token");
    case RetrievedToken::Kind::one:
      break;
  }

  TokenDecodeError error{};
  const auto decoded = DecodedTokens::of_this_thread().decode(found.token(), &error);
  if (decoded == nullptr) {
    if (error.kind == TokenDecodeError::Kind::unexpected_error) return unexpected_error();
    return unauthorized(config, "Bad token; " + error.reason);
  }
  const DecodedToken& jwt = *decoded;

  // Lua can index tables (objects, arrays) and strings; indexing a number, `true` or cjson's
  // null raises.
  if (!jwt.claims.is_object() && !jwt.claims.is_array() && !jwt.claims.is_string()) {
    return unexpected_error();
  }

  const json::value* key = key_claim(jwt.claims, jwt.header, claim_name);
  if (key == nullptr) {
    return unauthorized(config, "No mandatory '" + claim_name + "' in claims");
  }
  // A number, object, `true` or null reaches kong.db.jwt_secrets:cache_key / select_by_key,
  // which refuse anything but a string with an error.
  if (!key->is_string()) return unexpected_error();
  if (key->get_string().empty()) {
    return unauthorized(config, "Invalid '" + claim_name + "' in claims");
  }

  const KeyedCredential* credential = keys.find(key->get_string());
  if (credential == nullptr) {
    return unauthorized(config, "No credentials found for given '" + claim_name + "'");
  }

  // The credential, never the token, decides the algorithm: this is what stops "none" and
  // HS256 tokens MACed with an RS256 credential's public key.
  if (jwt.algorithm != credential->algorithm) {
    return unauthorized(config, "Invalid algorithm");
  }

  const VerificationKey* verification_key =
      config.secret_is_base64 ? (credential->base64_key ? &*credential->base64_key : nullptr)
                              : &credential->key;
  if (verification_key == nullptr) {
    return unauthorized(config, "Invalid key/secret");
  }

  switch (verification_key->verify(jwt.signing_input, jwt.signature)) {
    case SignatureCheck::valid:
      break;
    case SignatureCheck::invalid:
      return unauthorized(config, "Invalid signature");
    case SignatureCheck::unexpected_error:
      return unexpected_error();
  }

  ClaimErrors errors = verify_registered_claims(jwt.claims, config.claims_to_verify, now);
  if (errors.empty()) errors = check_maximum_expiration(jwt.claims, config.maximum_expiration, now);
  if (!errors.empty()) return Rejection{401, errors_body(errors), challenge(config, true)};

  const Credential& c = credential->credential;
  return Authenticated{&c.consumer, c.id, c.key};
}

}  // namespace

Rejection unexpected_error() { return {500, message_body("An unexpected error occurred"), {}}; }

Outcome authenticate(const Config& config, const Request& request, const KeyRing& keys,
                     std::chrono::system_clock::time_point now, EarlierCredential earlier) {
  if (!config.run_on_preflight && request.method == "OPTIONS") return Skipped{};

  // ngx.time(): whole seconds.
  const long long seconds =
      std::chrono::floor<std::chrono::seconds>(now.time_since_epoch()).count();

  if (!config.anonymous) return do_authentication(config, request, keys, seconds);

  // "Logical OR" with other auth plugins: someone already authenticated the request.
  if (earlier == EarlierCredential::present) return Skipped{};
  Outcome outcome = do_authentication(config, request, keys, seconds);
  const auto* rejection = std::get_if<Rejection>(&outcome);
  // Kong's 500s are raised errors, which the anonymous fallback does not catch.
  if (rejection == nullptr || rejection->status == 500) return outcome;
  return Anonymous{*config.anonymous};
}

}  // namespace bazaar::gateway::jwt
