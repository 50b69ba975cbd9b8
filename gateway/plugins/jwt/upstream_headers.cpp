#include "gateway/plugins/jwt/upstream_headers.hpp"

namespace bazaar::gateway::jwt {
namespace {

std::optional<std::string> present(const std::string& value) {
  return value.empty() ? std::nullopt : std::optional<std::string>(value);
}

// The three consumer headers, with room for the two the callers add.
std::vector<HeaderChange> consumer_headers(const Consumer& consumer) {
  std::vector<HeaderChange> changes;
  changes.reserve(5);
  changes.push_back({"X-Consumer-ID", present(consumer.id)});
  changes.push_back({"X-Consumer-Custom-ID", present(consumer.custom_id)});
  changes.push_back({"X-Consumer-Username", present(consumer.username)});
  return changes;
}

}  // namespace

std::vector<HeaderChange> upstream_headers(const Authenticated& authenticated) {
  std::vector<HeaderChange> changes = consumer_headers(authenticated.consumer);
  changes.push_back({"X-Credential-Identifier", present(authenticated.credential_key)});
  changes.push_back({"X-Anonymous-Consumer", std::nullopt});
  return changes;
}

std::vector<HeaderChange> anonymous_upstream_headers(const Consumer& anonymous) {
  std::vector<HeaderChange> changes = consumer_headers(anonymous);
  changes.push_back({"X-Credential-Identifier", std::nullopt});
  changes.push_back({"X-Anonymous-Consumer", "true"});
  return changes;
}

}  // namespace bazaar::gateway::jwt
