#pragma once
// The checks on registered claims that run after the signature verified, as jwt_parser.lua's
// verify_registered_claims and check_maximum_expiration do them. `now` is whole seconds since
// the epoch (ngx.time()); claim values are compared as Lua numbers (doubles).
#include <boost/json/value.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gateway/plugins/jwt/config.hpp"

namespace bazaar::gateway::jwt {

// (claim, message) pairs, in the order the claims were configured; empty when all pass.
using ClaimErrors = std::vector<std::pair<std::string, std::string>>;

// Each claim must be a JSON number ("must be a number"); then exp must be > now ("token
// expired") and nbf <= now ("token not valid yet"). No leeway, as in Kong.
ClaimErrors verify_registered_claims(const boost::json::value& claims,
                                     const std::vector<RegisteredClaim>& to_verify, long long now);

// With maximum_expiration > 0: exp must exist and lie at most that many seconds ahead
// ("exceeds maximum allowed expiration"). Kong only runs this after verifying exp, which the
// config schema makes mandatory alongside it.
ClaimErrors check_maximum_expiration(const boost::json::value& claims, double maximum_expiration,
                                     long long now);

}  // namespace bazaar::gateway::jwt
