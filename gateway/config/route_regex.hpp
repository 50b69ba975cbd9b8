#pragma once
// Regexes of route paths ("~/...") and header values ("~*..."), compiled with the semantics
// Kong 3.x gives them under router_flavor = traditional_compatible: the Rust `regex` crate
// of the ATC router (kong/router/transform.lua, compat.lua). Include only from .cpp files.
#include <optional>
#include <string>
#include <string_view>

#include <boost/regex.hpp>

namespace bazaar::gateway::config {

// Why Kong would refuse `pattern` (written without the leading "~"), or nullopt.
std::optional<std::string> regex_error(std::string_view pattern);

// "^" + pattern, as Kong anchors path regexes; named groups may be written (?<n>) or (?P<n>).
boost::regex compile_path_regex(std::string_view pattern);

// Unanchored: header regexes are searched anywhere in the (lower-cased) value.
boost::regex compile_header_regex(std::string_view pattern);

}  // namespace bazaar::gateway::config
