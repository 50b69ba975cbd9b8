#pragma once
// The query string as OpenResty's ngx.req.get_uri_args (behind kong.request.get_query) reads
// it: '&'-separated, split at the first '=', keys and values percent-decoded with '+' as space,
// a key without '=' has the value `true` (here: nullopt), empty keys are dropped, and only the
// first 100 arguments count (lua_max_uri_args).
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bazaar::gateway::jwt {

struct QueryArg {
  std::string key;
  std::optional<std::string> value;  // nullopt for a bare "key" without '='
};

constexpr std::size_t kMaxQueryArgs = 100;

std::vector<QueryArg> parse_query_args(std::string_view query,
                                       std::size_t max_args = kMaxQueryArgs);

// ngx_http_lua_unescape_uri with NGX_UNESCAPE_URI_COMPONENT: "%XX" decoded, '+' becomes ' ',
// malformed escapes kept as written.
std::string unescape_query_component(std::string_view text);

}  // namespace bazaar::gateway::jwt
