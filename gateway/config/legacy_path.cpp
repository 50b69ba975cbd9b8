#include "gateway/config/legacy_path.hpp"

#include <cctype>

#include "gateway/uri/normalize_path.hpp"
#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::config {
namespace {

constexpr std::string_view kReserved = "!#$%&'()*+,/:;=?@[]";
constexpr std::string_view kRegexMeta = ".^-{}\\|";

bool is_plain(std::string_view path) {
  for (char c : path) {
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string_view(".-_~/%").find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

std::string decode_regex(std::string_view regex) {
  std::string out;
  for (std::size_t i = 0; i < regex.size(); ++i) {
    if (const auto byte = uri::escaped_byte_at(regex, i)) {
      const char decoded = *byte;
      if (kReserved.find(decoded) != std::string_view::npos) {
        out += '%';
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(regex[i + 1])));
        out += static_cast<char>(std::toupper(static_cast<unsigned char>(regex[i + 2])));
      } else {
        if (kRegexMeta.find(decoded) != std::string_view::npos) out += '\\';
        out += decoded;
      }
      i += 2;
    } else {
      out += regex[i];
    }
  }
  return out;
}

}  // namespace

std::string migrate_legacy_path(std::string_view path) {
  if (is_plain(path)) return uri::normalize_path(path);
  return "~" + decode_regex(path);
}

}  // namespace bazaar::gateway::config
