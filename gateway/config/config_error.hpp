#pragma once
#include <stdexcept>

namespace bazaar::gateway::config {

// A declarative file that Kong would refuse. The message names the entity and the field,
// e.g. "service 'user-service': unknown field 'hots'".
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace bazaar::gateway::config
