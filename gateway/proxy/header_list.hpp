#pragma once
// Small operations on a request's or response's header list (names compared
// case-insensitively, order and repeats kept), shared by the proxy's header rewrites.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

// Inline: called for every header of every request, mostly with names of another length.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i], y = b[i];
    if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) return false;
  }
  return true;
}
// The first value of `name`, if any.
std::optional<std::string_view> first_value(const std::vector<Header>& headers,
                                            std::string_view name);
std::size_t count(const std::vector<Header>& headers, std::string_view name);
void remove_all(std::vector<Header>& headers, std::string_view name);
// Removes every `name` and appends one with `value`.
void set_header(std::vector<Header>& headers, std::string_view name, std::string value);
// Splits a comma-separated list into trimmed, non-empty items ("a, b,,c" -> a, b, c).
std::vector<std::string_view> split_list(std::string_view value);

}  // namespace bazaar::gateway::proxy
