#pragma once
// Small checks on text that validation everywhere needs.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace bazaar::text {

// Code points of valid UTF-8 (Boost.JSON has already rejected invalid sequences).
inline std::size_t utf8_length(std::string_view s) {
  return static_cast<std::size_t>(
      std::count_if(s.begin(), s.end(), [](char c) { return (c & 0xC0) != 0x80; }));
}

// ASCII control characters, DEL included.
inline bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

}  // namespace bazaar::text
