#pragma once
#include <string_view>

namespace bazaar::gateway::config {

// Whether OpenSSL reads `pem` as a key, as Kong's jwt_secrets check does (validate_ssl_key in
// kong/plugins/jwt/daos.lua).
bool is_valid_pem_key(std::string_view pem);

}  // namespace bazaar::gateway::config
