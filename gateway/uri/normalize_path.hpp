#pragma once
// Kong's URI path normalization (kong/tools/uri.lua `normalize(uri, true)`): the router matches
// requests against this form and route prefixes must already be in it.
#include <string>
#include <string_view>

namespace bazaar::gateway::uri {

// Percent-decodes every triplet except those of RFC 3986 reserved characters (which are
// upper-cased instead), removes dot segments and merges repeated slashes.
std::string normalize_path(std::string_view path);

}  // namespace bazaar::gateway::uri
