#include "gateway/plugins/jwt/upstream_headers.hpp"

namespace bazaar::gateway::jwt {
namespace {

std::optional<std::string_view> present(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string_view>(value);
}

// The three consumer headers, then the two the callers fill in.
HeaderChanges consumer_headers(const Consumer& consumer) {
  return {HeaderChange{"X-Consumer-ID", present(consumer.id)},
          HeaderChange{"X-Consumer-Custom-ID", present(consumer.custom_id)},
          HeaderChange{"X-Consumer-Username", present(consumer.username)},
          HeaderChange{"X-Credential-Identifier", std::nullopt},
          HeaderChange{"X-Anonymous-Consumer", std::nullopt}};
}

}  // namespace

HeaderChanges upstream_headers(const Authenticated& authenticated) {
  HeaderChanges changes = consumer_headers(*authenticated.consumer);
  if (!authenticated.credential_key.empty()) changes[3].value = authenticated.credential_key;
  return changes;
}

HeaderChanges anonymous_upstream_headers(const Consumer& anonymous) {
  HeaderChanges changes = consumer_headers(anonymous);
  changes[4].value = "true";
  return changes;
}

}  // namespace bazaar::gateway::jwt
