#pragma once
// The request headers Kong's jwt plugin sets or clears before proxying (set_consumer in
// kong/plugins/jwt/handler.lua; names from kong/constants.lua). Clearing matters: it stops a
// client from sending its own X-Consumer-ID and the like to the upstream.
#include <array>
#include <optional>
#include <string_view>

#include "gateway/plugins/jwt/authenticate.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::jwt {

// Views into static names and the consumer or credential the change was made from, which
// must outlive it.
struct HeaderChange {
  std::string_view name;
  std::optional<std::string_view> value;  // nullopt: remove every header of this name
};
using HeaderChanges = std::array<HeaderChange, 5>;

// X-Consumer-ID, X-Consumer-Custom-ID, X-Consumer-Username (each cleared when the consumer has
// no such value), X-Credential-Identifier = the credential's key, and X-Anonymous-Consumer
// cleared. Apply in order, replacing any value the client sent.
HeaderChanges upstream_headers(const Authenticated& authenticated);

// The same for the anonymous consumer: its consumer headers, X-Credential-Identifier cleared,
// X-Anonymous-Consumer: true.
HeaderChanges anonymous_upstream_headers(const Consumer& anonymous);

}  // namespace bazaar::gateway::jwt
