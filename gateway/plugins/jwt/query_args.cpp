#include "gateway/plugins/jwt/query_args.hpp"

namespace bazaar::gateway::jwt {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string unescape_query_component(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+') {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex_value(text[i + 1]) >= 0 &&
               hex_value(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex_value(text[i + 1]) * 16 + hex_value(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

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
