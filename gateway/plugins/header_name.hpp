#pragma once
// Kong's header-name rule (typedefs.header_name, kong.tools.http validate_header_name): letters,
// digits, '-' and '_', at least one. The plugins' configs check their header names with it.
#include <string_view>

namespace bazaar::gateway {

constexpr bool is_header_name(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

}  // namespace bazaar::gateway
