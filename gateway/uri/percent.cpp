#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::uri {
namespace {
int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<char> escaped_byte_at(std::string_view text, std::size_t i) {
  if (i + 2 >= text.size() || text[i] != '%') return std::nullopt;
  const int hi = hex_value(text[i + 1]);
  const int lo = hex_value(text[i + 2]);
  if (hi < 0 || lo < 0) return std::nullopt;
  return static_cast<char>(hi * 16 + lo);
}

std::string percent_encode(std::string_view text, bool (*keep)(char)) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (keep(c)) {
      out += c;
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 0x0F];
    }
  }
  return out;
}

std::string escape_path(std::string_view path) {
  return percent_encode(path, [](char c) {
    constexpr std::string_view kKept = "!#$&'()*+,/:;=?@[]-_.~%";
    const bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    return alnum || kKept.find(c) != std::string_view::npos;
  });
}

std::string form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out += ' ';
    } else if (auto byte = escaped_byte_at(text, i)) {
      out += *byte;
      i += 2;
    } else {
      out += text[i];
    }
  }
  return out;
}

}  // namespace bazaar::gateway::uri
