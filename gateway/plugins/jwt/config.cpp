#include "gateway/plugins/jwt/config.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <iterator>
#include <stdexcept>
#include <string_view>

namespace bazaar::gateway::jwt {
namespace json = boost::json;

namespace {

// Thrown inside this file only, to unwind to parse_config with the message.
struct FieldError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

[[noreturn]] void fail(std::string_view field, std::string_view why) {
  throw FieldError("config." + std::string(field) + ": " + std::string(why));
}

// Kong's schema gives every string field len_min = 1 unless it says otherwise
// (kong/db/schema/init.lua), so "" is refused everywhere in this record.
std::string string_field(std::string_view field, const json::value& v) {
  if (!v.is_string()) fail(field, "expected a string");
  if (v.get_string().empty()) fail(field, "length must be at least 1");
  return std::string(v.get_string());
}

bool boolean_field(std::string_view field, const json::value& v) {
  if (!v.is_bool()) fail(field, "expected a boolean");
  return v.get_bool();
}

double number_field(std::string_view field, const json::value& v) {
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  if (v.is_double()) return v.get_double();
  fail(field, "expected a number");
}

// A Kong "set" of strings: an array; duplicates collapse to their first occurrence.
std::vector<std::string> string_set_field(std::string_view field, const json::value& v) {
  if (!v.is_array()) fail(field, "expected a set");
  std::vector<std::string> out;
  const json::array& items = v.get_array();
  for (std::size_t i = 0; i < items.size(); ++i) {
    // Kong numbers set elements from 1 in its error tables.
    std::string element = std::string(field) + "[" + std::to_string(i + 1) + "]";
    std::string s = string_field(element, items[i]);
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  }
  return out;
}

std::vector<RegisteredClaim> claims_field(std::string_view field, const json::value& v) {
  std::vector<RegisteredClaim> out;
  std::vector<std::string> names = string_set_field(field, v);
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == "exp") {
      out.push_back(RegisteredClaim::exp);
    } else if (names[i] == "nbf") {
      out.push_back(RegisteredClaim::nbf);
    } else {
      fail(std::string(field) + "[" + std::to_string(i + 1) + "]", "expected one of: exp, nbf");
    }
  }
  return out;
}

constexpr std::string_view kFields[] = {"uri_param_names",    "cookie_names",
                                        "header_names",       "key_claim_name",
                                        "secret_is_base64",   "claims_to_verify",
                                        "anonymous",          "run_on_preflight",
                                        "maximum_expiration", "realm"};

Config parse(const json::object& in) {
  Config c;
  for (const auto& [key, value] : in) {
    const std::string_view name = key;
    if (std::find(std::begin(kFields), std::end(kFields), name) == std::end(kFields)) {
      fail(name, "unknown field");
    }
    // An explicit null means "not set": optional fields stay empty, the others keep their
    // defaults. (Kong would report "required field missing" for a null secret_is_base64 or
    // run_on_preflight; taking the default is the friendlier reading of the same intent.)
    if (value.is_null()) continue;
    if (name == "uri_param_names") {
      c.uri_param_names = string_set_field(name, value);
    } else if (name == "cookie_names") {
      c.cookie_names = string_set_field(name, value);
    } else if (name == "header_names") {
      c.header_names = string_set_field(name, value);
    } else if (name == "key_claim_name") {
      c.key_claim_name = string_field(name, value);
    } else if (name == "secret_is_base64") {
      c.secret_is_base64 = boolean_field(name, value);
    } else if (name == "claims_to_verify") {
      c.claims_to_verify = claims_field(name, value);
    } else if (name == "anonymous") {
      c.anonymous = string_field(name, value);
    } else if (name == "run_on_preflight") {
      c.run_on_preflight = boolean_field(name, value);
    } else if (name == "maximum_expiration") {
      c.maximum_expiration = number_field(name, value);
      if (!(c.maximum_expiration >= 0 && c.maximum_expiration <= 31536000)) {
        fail(name, "value should be between 0 and 31536000");
      }
    } else if (name == "realm") {
      c.realm = string_field(name, value);
    }
  }
  // schema.lua's entity check: a maximum lifetime only makes sense if exp is verified.
  if (c.maximum_expiration > 0 && std::find(c.claims_to_verify.begin(), c.claims_to_verify.end(),
                                            RegisteredClaim::exp) == c.claims_to_verify.end()) {
    fail("claims_to_verify", "expected to contain: exp");
  }
  return c;
}

}  // namespace

std::variant<Config, std::string> parse_config(const json::object& config) {
  try {
    return parse(config);
  } catch (const FieldError& e) {
    return std::string(e.what());
  }
}

}  // namespace bazaar::gateway::jwt
