#include "gateway/config/kong_validators.hpp"

#include <cctype>
#include <charconv>

#include "gateway/config/route_regex.hpp"
#include "gateway/uri/normalize_path.hpp"

namespace bazaar::gateway::config {
namespace {

bool is_hex(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }
bool is_alnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// Position (1-based, as Kong reports it) of the first invalid UTF-8 sequence, or 0.
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    auto byte = static_cast<unsigned char>(s[i]);
    std::size_t length = byte < 0x80           ? 1
                         : (byte >> 5) == 0x6  ? 2
                         : (byte >> 4) == 0xE  ? 3
                         : (byte >> 3) == 0x1E ? 4
                                               : 0;
    if (length == 0 || i + length > s.size()) return i + 1;
    for (std::size_t k = 1; k < length; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) >> 6) != 0x2) return i + 1;
    }
    i += length;
  }
  return 0;
}

bool is_valid_hostname(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.back() == '.') name.remove_suffix(1);
  std::size_t label = 0;
  for (char c : name) {
    if (c == '.') {
      if (label == 0) return false;
      label = 0;
    } else if (is_alnum(c) || c == '-' || c == '_') {
      ++label;
    } else {
      return false;
    }
  }
  return label > 0;
}

bool is_ipv4(std::string_view s) {
  int parts = 0;
  while (!s.empty()) {
    auto dot = s.find('.');
    auto part = s.substr(0, dot);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), value);
    if (part.empty() || part.size() > 3 || ec != std::errc{} || end != part.data() + part.size() ||
        value > 255) {
      return false;
    }
    ++parts;
    if (dot == std::string_view::npos) break;
    s.remove_prefix(dot + 1);
    if (s.empty()) return false;
  }
  return parts == 4;
}

bool is_ipv6(std::string_view s) {
  if (s.find(':') == std::string_view::npos) return false;
  for (char c : s) {
    if (!is_hex(c) && c != ':' && c != '.') return false;
  }
  return true;
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// utils.validate_path: characters and percent-encoding, shared by service and route paths.
std::optional<std::string> path_characters_error(std::string_view path) {
  for (char c : path) {
    if (!is_alnum(c) && std::string_view("._-~/%:@!$&'()*+,;=").find(c) == std::string_view::npos) {
      return "invalid path: '" + std::string(path) +
             "' (characters outside of the reserved list of RFC 3986 found)";
    }
  }
  return std::nullopt;
}

std::optional<std::string> percent_encoding_error(std::string_view path) {
  for (std::size_t i = 0; i < path.size(); ++i) {
    if (path[i] != '%') continue;
    if (i + 2 < path.size() && is_hex(path[i + 1]) && is_hex(path[i + 2])) {
      i += 2;
      continue;
    }
    return "invalid url-encoded value: '" + std::string(path.substr(i, 3)) + "'";
  }
  return std::nullopt;
}

}  // namespace

bool is_uuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? s[i] != '-' : !is_hex(s[i])) return false;
  }
  return true;
}

std::optional<std::string> utf8_name_error(std::string_view name) {
  if (auto at = invalid_utf8_at(name)) {
    return "invalid utf-8 character sequence detected at position " + std::to_string(at);
  }
  for (char c : name) {
    auto byte = static_cast<unsigned char>(c);
    if (!is_alnum(c) && c != '.' && c != '-' && c != '_' && c != '~' && byte < 128) {
      return "invalid value '" + std::string(name) +
             "': the only accepted ascii characters are alphanumerics or ., -, _, and ~";
    }
  }
  if (name.empty()) return "length must be at least 1";
  return std::nullopt;
}

std::optional<std::string> tag_error(std::string_view tag) {
  if (auto at = invalid_utf8_at(tag)) {
    return "invalid utf-8 character sequence detected at position " + std::to_string(at);
  }
  for (char c : tag) {
    auto byte = static_cast<unsigned char>(c);
    bool printable = (byte >= 33 && byte <= 126 && c != ',' && c != '/') || byte >= 128 || c == ' ';
    if (!printable) {
      return "invalid tag '" + std::string(tag) +
             "': expected printable ascii (except `,` and `/`) or valid utf-8 sequences";
    }
  }
  if (tag.empty()) return "length must be at least 1";
  return std::nullopt;
}

std::optional<std::string> header_name_error(std::string_view name) {
  if (name.empty()) return "length must be at least 1";
  for (char c : name) {
    if (!is_alnum(c) && c != '-' && c != '_') {
      return "bad header name '" + std::string(name) +
             "', allowed characters are A-Z, a-z, 0-9, '_', and '-'";
    }
  }
  return std::nullopt;
}

std::optional<HostPort> parse_host_port(std::string_view text) {
  if (text.starts_with('[')) {
    auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    HostPort out{std::string(text.substr(1, close - 1)), std::nullopt, true};
    if (!is_ipv6(out.host)) return std::nullopt;
    auto rest = text.substr(close + 1);
    if (rest.empty()) return out;
    if (!rest.starts_with(':') || !(out.port = parse_port(rest.substr(1)))) return std::nullopt;
    return out;
  }
  if (is_ipv6(text) && text.find(':') != text.rfind(':')) {
    return HostPort{std::string(text), std::nullopt, true};
  }
  auto colon = text.find(':');
  HostPort out{std::string(text.substr(0, colon)), std::nullopt, false};
  if (colon != std::string_view::npos && !(out.port = parse_port(text.substr(colon + 1)))) {
    return std::nullopt;
  }
  out.is_ip = is_ipv4(out.host);
  if (!out.is_ip && !is_valid_hostname(out.host)) return std::nullopt;
  return out;
}

std::optional<std::string> host_error(std::string_view host) {
  auto parsed = parse_host_port(host);
  if (!parsed) return "invalid value: " + std::string(host);
  if (parsed->port) return "must not have a port";
  return std::nullopt;
}

std::optional<std::string> route_host_error(std::string_view host) {
  auto wildcard = host.find('*');
  if (wildcard != std::string_view::npos) {
    if (host.find('*', wildcard + 1) != std::string_view::npos) {
      return "invalid wildcard: must have at most one wildcard";
    }
    auto without_port = host.substr(0, host.find(':'));
    if (!without_port.starts_with("*.") && !without_port.ends_with(".*")) {
      return "invalid wildcard: must be placed at leftmost or rightmost label";
    }
  }
  std::string substituted(host);
  if (wildcard != std::string_view::npos) substituted.replace(wildcard, 1, "abc");
  if (!parse_host_port(substituted)) return "invalid value: " + std::string(host);
  return std::nullopt;
}

std::optional<std::string> service_path_error(std::string_view path) {
  if (!path.starts_with('/')) return "should start with: /";
  if (path.find("//") != std::string_view::npos) return "must not have empty segments";
  if (auto error = path_characters_error(path)) return error;
  return percent_encoding_error(path);
}

std::optional<std::string> router_path_error(std::string_view path) {
  if (!path.starts_with('/') && !path.starts_with("~/")) {
    return "should start with: / (fixed path) or ~/ (regex path)";
  }
  if (path.find("//") != std::string_view::npos) return "must not have empty segments";
  // Kong checks only the percent-encoding here; the RFC 3986 character check is ignored
  // for router paths (validate_path_with_regexes in typedefs.lua).
  if (auto error = percent_encoding_error(path)) return error;
  if (!path.starts_with('~')) {
    auto normalized = uri::normalize_path(path);
    if (normalized != path) {
      return "non-normalized path, consider use '" + normalized + "' instead";
    }
    return std::nullopt;
  }
  auto pattern = path.substr(1);
  if (auto error = regex_error(pattern)) {
    return "invalid regex: '" + std::string(pattern) + "' (" + *error + ")";
  }
  return std::nullopt;
}

}  // namespace bazaar::gateway::config
