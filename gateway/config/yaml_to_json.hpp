#pragma once
// YAML (and therefore JSON) text to a JSON tree, so the declarative validator only ever sees
// one representation whichever syntax the file used.
#include <string_view>

#include <boost/json/value.hpp>

namespace bazaar::gateway::config {

// Plain scalars are typed by the YAML 1.2 core schema (null, booleans, integers, floats);
// quoted scalars stay strings. Throws ConfigError on syntax errors and duplicate keys.
boost::json::value yaml_to_json(std::string_view text);

}  // namespace bazaar::gateway::config
