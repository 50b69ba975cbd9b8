#include "gateway/config/legacy_path.hpp"

#include <cctype>

#include "gateway/config/uri_normalize.hpp"

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

int hex_value(char c) {
  if (std::isdigit(static_cast<unsigned char>(c))) return c - '0';
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

std::string decode_regex(std::string_view regex) {
  std::string out;
  for (std::size_t i = 0; i < regex.size(); ++i) {
    if (regex[i] == '%' && i + 2 < regex.size() && hex_value(regex[i + 1]) >= 0 &&
        hex_value(regex[i + 2]) >= 0) {
      char decoded = static_cast<char>(hex_value(regex[i + 1]) * 16 + hex_value(regex[i + 2]));
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
  if (is_plain(path)) return normalize_uri_path(path);
  return "~" + decode_regex(path);
}

}  // namespace bazaar::gateway::config
