#pragma once
// The request headers Kong's jwt plugin sets or clears before proxying (set_consumer in
// kong/plugins/jwt/handler.lua; names from kong/constants.lua). Clearing matters: it stops a
// client from sending its own X-Consumer-ID and the like to the upstream.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/jwt/authenticate.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::jwt {

struct HeaderChange {
  std::string_view name;  // one of the fixed names above (static storage: no copy per request)
  std::optional<std::string> value;  // nullopt: remove every header of this name
};

// X-Consumer-ID, X-Consumer-Custom-ID, X-Consumer-Username (each cleared when the consumer has
// no such value), X-Credential-Identifier = the credential's key, and X-Anonymous-Consumer
// cleared. Apply in order, replacing any value the client sent.
std::vector<HeaderChange> upstream_headers(const Authenticated& authenticated);

// The same for the anonymous consumer: its consumer headers, X-Credential-Identifier cleared,
// X-Anonymous-Consumer: true.
std::vector<HeaderChange> anonymous_upstream_headers(const Consumer& anonymous);

}  // namespace bazaar::gateway::jwt
