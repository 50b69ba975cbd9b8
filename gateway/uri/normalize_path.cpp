#include "gateway/uri/normalize_path.hpp"

#include <cctype>
#include <vector>

#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::uri {
namespace {

constexpr std::string_view kReserved = "!*'();:@&=+$,/?%#[]";

std::string decode_unreserved(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const auto decoded = escaped_byte_at(in, i);
    if (!decoded) {
      out += in[i];
    } else if (kReserved.find(*decoded) != std::string_view::npos) {
      out += '%';
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(in[i + 1])));
      out += static_cast<char>(std::toupper(static_cast<unsigned char>(in[i + 2])));
      i += 2;
    } else {
      out += *decoded;
      i += 2;
    }
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) { return s.starts_with(prefix); }

}  // namespace

std::string normalize_path(std::string_view path) {
  if (path.empty() || path == "/") return std::string(path);

  std::string decoded =
      path.find('%') == std::string_view::npos ? std::string(path) : decode_unreserved(path);
  if (decoded.find('.') == std::string::npos && decoded.find("//") == std::string::npos) {
    return decoded;
  }

  // A literal port of the segment loop in kong/tools/uri.lua, merge_slashes = true.
  std::string_view uri = decoded;
  std::vector<std::string_view> segments;
  while (!uri.empty()) {
    if (uri == "/.") {
      uri = "/";
    } else if (uri == "/..") {
      uri = "/";
      if (!segments.empty()) segments.pop_back();
    } else if (uri == "." || uri == "..") {
      uri = {};
    } else if (starts_with(uri, "../")) {
      uri.remove_prefix(3);
    } else if (starts_with(uri, "./")) {
      uri.remove_prefix(2);
    } else if (starts_with(uri, "/./")) {
      uri.remove_prefix(2);
    } else if (starts_with(uri, "/../")) {
      uri.remove_prefix(3);
      if (!segments.empty()) segments.pop_back();
    } else if (starts_with(uri, "//")) {
      uri.remove_prefix(1);
    } else {
      auto next = uri.find('/', 1);
      segments.push_back(uri.substr(0, next));
      uri = next == std::string_view::npos ? std::string_view{} : uri.substr(next);
    }
  }
  std::string out;
  for (auto segment : segments) out += segment;
  return out;
}

}  // namespace bazaar::gateway::uri
