#pragma once
// Small operations on a request's or response's header list (names compared
// case-insensitively, order and repeats kept), shared by the proxy's header rewrites.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

// (iequals and first_value live beside Header, in gateway/plugins/request.hpp.)
std::size_t count(const std::vector<Header>& headers, std::string_view name);
void remove_all(std::vector<Header>& headers, std::string_view name);
// Removes every `name` and appends one with `value`.
void set_header(std::vector<Header>& headers, std::string_view name, std::string value);
// Calls `visit` with each trimmed, non-empty item of a comma-separated list
// ("a, b,,c" -> a, b, c).
template <class Visit>
void for_each_list_item(std::string_view value, Visit&& visit) {
  const auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && blank(item.front())) item.remove_prefix(1);
    while (!item.empty() && blank(item.back())) item.remove_suffix(1);
    if (!item.empty()) visit(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}
// The same items as a list.
std::vector<std::string_view> split_list(std::string_view value);

}  // namespace bazaar::gateway::proxy
