#pragma once
// Route paths of declarative formats 1.1 and 2.1, written before Kong 3.0 marked regexes
// with "~": Kong migrates them on load (kong/db/migrations/migrate_path_280_300.lua).
#include <string>
#include <string_view>

namespace bazaar::gateway::config {

// A path made only of [a-zA-Z0-9.-_~/%] stays a prefix (normalized); anything else becomes
// "~" + the path with percent-encoded regex metacharacters decoded as escaped literals.
std::string migrate_legacy_path(std::string_view path);

}  // namespace bazaar::gateway::config
