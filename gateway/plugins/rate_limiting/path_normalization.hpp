#pragma once
// Kong's path normalisation (kong/tools/uri.lua `normalize(uri, true)`), which
// kong.request.get_path() applies and limit_by = path compares against.
#include <string>
#include <string_view>

namespace bazaar::gateway::rate_limiting {

// Decodes percent-escapes except those of reserved characters (which are upper-cased),
// resolves "." and ".." segments and merges duplicate slashes:
// "/t/Abc%20123%C3%B8%2f/parent/..//test/./" -> "/t/Abc 123\xC3\xB8%2F/test/".
std::string normalize_path(std::string_view raw);

}  // namespace bazaar::gateway::rate_limiting
