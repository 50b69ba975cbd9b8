#pragma once
// The jwt plugin's `config` record, as Kong 3.x's kong/plugins/jwt/schema.lua defines it
// (field names, defaults, and the checks its schema applies).
#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bazaar::gateway::jwt {

// The registered claims Kong can check (schema.lua: claims_to_verify one_of { "exp", "nbf" }).
enum class RegisteredClaim { exp, nbf };

struct Config {
  std::vector<std::string> uri_param_names{"jwt"};
  std::vector<std::string> cookie_names;
  std::vector<std::string> header_names{"authorization"};
  std::string key_claim_name = "iss";
  bool secret_is_base64 = false;
  std::vector<RegisteredClaim> claims_to_verify;  // in configured order, without duplicates
  std::optional<std::string> anonymous;           // consumer id or username
  bool run_on_preflight = true;
  double maximum_expiration = 0;     // seconds; 0 disables the check
  std::optional<std::string> realm;  // for WWW-Authenticate (added in Kong 3.8)
};

// Parses the plugin's `config` object. Missing fields take Kong's defaults; on failure returns
// one line naming the field, in Kong's words where it has them, e.g.
// "config.maximum_expiration: value should be between 0 and 31536000" or
// "config.foo: unknown field".
std::variant<Config, std::string> parse_config(const boost::json::object& config);

}  // namespace bazaar::gateway::jwt
