#pragma once
// Loading Kong's declarative configuration from YAML or JSON text.
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "gateway/config/config_error.hpp"
#include "gateway/config/declarative.hpp"

namespace bazaar::gateway::config {

// Checks one plugin instance: returns nullopt when the plugin is known and its config valid,
// otherwise the reason, naming the offending field from `config.` on, e.g.
// "config.minute: expected a number" or "plugin is not installed". The loader prefixes it
// with the plugin and its scope: "plugin 'rate-limiting' on service 'user-service': ...".
// An empty PluginValidator accepts every plugin.
using PluginValidator = std::function<std::optional<std::string>(
    std::string_view plugin_name, const boost::json::object& config)>;

// Parses YAML or JSON (JSON is read as YAML, so both behave identically). Throws ConfigError.
Declarative parse_declarative(std::string_view text, const PluginValidator& validate);

// Reads the file at `path`, then parse_declarative. Throws ConfigError, also when unreadable.
Declarative load_declarative_file(const std::string& path, const PluginValidator& validate);

}  // namespace bazaar::gateway::config
