#include "gateway/plugins/rate_limiting/path_normalization.hpp"

#include <vector>

namespace bazaar::gateway::rate_limiting {

namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

char upper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

// uri.lua RESERVED_CHARS: escapes of these keep their meaning, so they stay encoded.
bool is_reserved(char c) {
  return std::string_view("!*'();:@&=+$,/?%#[]").find(c) != std::string_view::npos;
}

std::string decode_unreserved(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '%' && i + 2 < raw.size() && hex_value(raw[i + 1]) >= 0 &&
        hex_value(raw[i + 2]) >= 0) {
      const char decoded = static_cast<char>(hex_value(raw[i + 1]) * 16 + hex_value(raw[i + 2]));
      if (is_reserved(decoded)) {
        out += '%';
        out += upper(raw[i + 1]);
        out += upper(raw[i + 2]);
      } else {
        out += decoded;
      }
      i += 2;
    } else {
      out += raw[i];
    }
  }
  return out;
}

}  // namespace

std::string normalize_path(std::string_view raw) {
  if (raw.empty() || raw == "/") return std::string(raw);
  std::string decoded = decode_unreserved(raw);
  std::string_view uri = decoded;

  // RFC 3986 5.2.4 remove_dot_segments, with "//" merged, as uri.lua implements it.
  std::vector<std::string_view> output;
  const std::string_view slash = "/";
  while (!uri.empty()) {
    if (uri == "/.") {
      uri = slash;
    } else if (uri == "/..") {
      uri = slash;
      if (!output.empty()) output.pop_back();
    } else if (uri == "." || uri == "..") {
      uri = {};
    } else if (uri.starts_with("../")) {
      uri.remove_prefix(3);
    } else if (uri.starts_with("./")) {
      uri.remove_prefix(2);
    } else if (uri.starts_with("/./")) {
      uri.remove_prefix(2);
    } else if (uri.starts_with("/../")) {
      uri.remove_prefix(3);
      if (!output.empty()) output.pop_back();
    } else if (uri.starts_with("//")) {
      uri.remove_prefix(1);
    } else {
      const std::size_t next = uri.find('/', 1);
      output.push_back(uri.substr(0, next));
      uri = next == std::string_view::npos ? std::string_view{} : uri.substr(next);
    }
  }
  std::string result;
  for (std::string_view segment : output) result += segment;
  return result;
}

}  // namespace bazaar::gateway::rate_limiting
