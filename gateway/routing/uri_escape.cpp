#include "gateway/routing/uri_escape.hpp"

#include <cctype>

namespace bazaar::gateway::routing {

std::string escape_upstream_path(std::string_view path) {
  constexpr std::string_view kKept = "!#$&'()*+,/:;=?@[]-_.~%";
  constexpr std::string_view kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(path.size());
  for (char c : path) {
    auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) || kKept.find(c) != std::string_view::npos) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0xF];
    }
  }
  return out;
}

}  // namespace bazaar::gateway::routing
