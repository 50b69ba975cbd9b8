#include "gateway/plugins/jwt/claims_check.hpp"

#include <optional>
#include <string_view>

namespace bazaar::gateway::jwt {
namespace json = boost::json;

namespace {

// `claims[name]` in Lua: only an object has named members.
const json::value* member(const json::value& claims, std::string_view name) {
  return claims.is_object() ? claims.as_object().if_contains(name) : nullptr;
}

// cjson decodes every JSON number to a Lua number, i.e. a double.
std::optional<double> lua_number(const json::value* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_double()) return v->get_double();
  if (v->is_int64()) return static_cast<double>(v->get_int64());
  if (v->is_uint64()) return static_cast<double>(v->get_uint64());
  return std::nullopt;
}

}  // namespace

ClaimErrors verify_registered_claims(const json::value& claims,
                                     const std::vector<RegisteredClaim>& to_verify, long long now) {
  ClaimErrors errors;
  const double t = static_cast<double>(now);
  for (RegisteredClaim claim : to_verify) {
    const std::string name = claim == RegisteredClaim::exp ? "exp" : "nbf";
    std::optional<double> value = lua_number(member(claims, name));
    if (!value) {
      errors.emplace_back(name, "must be a number");
    } else if (claim == RegisteredClaim::exp && *value <= t) {
      errors.emplace_back(name, "token expired");
    } else if (claim == RegisteredClaim::nbf && *value > t) {
      errors.emplace_back(name, "token not valid yet");
    }
  }
  return errors;
}

ClaimErrors check_maximum_expiration(const json::value& claims, double maximum_expiration,
                                     long long now) {
  if (maximum_expiration <= 0) return {};
  const json::value* exp = member(claims, "exp");
  // Kong tests `exp == nil`; any other non-number would raise in the subtraction, but exp has
  // already passed verify_registered_claims when this runs.
  std::optional<double> value = lua_number(exp);
  if (!value || *value - static_cast<double>(now) > maximum_expiration) {
    return {{"exp", "exceeds maximum allowed expiration"}};
  }
  return {};
}

}  // namespace bazaar::gateway::jwt
