#include "gateway/plugins/jwt/query_args.hpp"

#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::jwt {
std::string unescape_query_component(std::string_view text) { return uri::form_decode(text); }

std::vector<QueryArg> parse_query_args(std::string_view query, std::size_t max_args) {
  std::vector<QueryArg> args;
  std::size_t counted = 0;
  std::size_t start = 0;
  while (start < query.size() && counted < max_args) {
    std::size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    std::string_view segment = query.substr(start, end - start);
    start = end + 1;
    // Every segment, even an empty or key-less one, uses up one of the max_args slots.
    ++counted;
    std::size_t eq = segment.find('=');
    std::string key = unescape_query_component(segment.substr(0, eq));
    if (key.empty()) continue;  // "=v" and "&&" are ignored
    if (eq == std::string_view::npos) {
      args.push_back({std::move(key), std::nullopt});
    } else {
      args.push_back({std::move(key), unescape_query_component(segment.substr(eq + 1))});
    }
  }
  return args;
}

}  // namespace bazaar::gateway::jwt
