#pragma once
// A stand-in for the gateway's plugin registry in tests: knows three plugins and checks one
// field, enough to exercise how the loader reports plugin errors.
#include <optional>
#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace bazaar::gateway::config::testing {

inline std::optional<std::string> fake_plugin_validator(std::string_view name,
                                                        const boost::json::object& config) {
  if (name == "rate-limiting") {
    if (const auto* minute = config.if_contains("minute"); minute && !minute->is_number()) {
      return "config.minute: expected a number";
    }
    return std::nullopt;
  }
  if (name == "jwt" || name == "request-transformer") return std::nullopt;
  return "plugin '" + std::string(name) + "' not enabled; add it to the 'plugins' configuration";
}

}  // namespace bazaar::gateway::config::testing
