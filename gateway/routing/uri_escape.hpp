#pragma once
#include <string>
#include <string_view>

namespace bazaar::gateway::routing {

// kong/tools/uri.lua escape(): percent-encodes what may not travel in a request line, keeping
// reserved characters and existing escapes, so the normalized path keeps its meaning upstream.
std::string escape_upstream_path(std::string_view path);

}  // namespace bazaar::gateway::routing
