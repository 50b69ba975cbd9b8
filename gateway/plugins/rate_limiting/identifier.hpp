#pragma once
// Whose requests are counted together: Kong's handler.lua get_identifier.
#include <optional>
#include <string>
#include <string_view>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::rate_limiting {

// What earlier stages learned about the request. Ids are absent when, e.g., no auth plugin
// authenticated the request or the route has no service.
struct RequestFacts {
  const Request& request;  // client_ip must be the forwarded client address Kong would use
  std::optional<std::string_view> consumer_id;
  std::optional<std::string_view> credential_id;
  std::optional<std::string_view> service_id;  // the matched service
};

// limit_by consumer falls back to the credential, and every choice falls back to the client
// IP when its value is missing (header absent, path not equal to config.path, ...).
std::string select_identifier(const Config& config, const RequestFacts& facts);
// The same, appended to `out` without a string of its own.
void append_identifier(std::string& out, const Config& config, const RequestFacts& facts);

}  // namespace bazaar::gateway::rate_limiting
