#include "gateway/routing/host_pattern.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace bazaar::gateway::routing {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace

SplitHost split_host_port(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos) return {text, std::nullopt};
  auto digits = text.substr(colon + 1);
  unsigned port = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
  if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || port > 65535) {
    return {text, std::nullopt};
  }
  return {text.substr(0, colon), static_cast<std::uint16_t>(port)};
}

HostPattern::HostPattern(std::string_view route_host) {
  auto [host, port] = split_host_port(route_host);
  port_ = port;
  if (host.starts_with('*')) {
    kind_ = Kind::suffix;
    host.remove_prefix(1);  // keeps the dot: "*.a.com" never matches "a.com" itself
  } else if (host.ends_with('*')) {
    kind_ = Kind::prefix;
    host.remove_suffix(1);
  }
  text_ = lower(host);
}

bool HostPattern::matches(std::string_view host, std::uint16_t port) const {
  if (port_ && *port_ != port) return false;
  // Host names are case-insensitive (RFC 9110 4.2.3); Kong compares the bytes as sent.
  std::string h = lower(host);
  switch (kind_) {
    case Kind::exact:
      return h == text_;
    case Kind::suffix:
      return h.ends_with(text_);
    case Kind::prefix:
      return h.starts_with(text_);
  }
  return false;
}

}  // namespace bazaar::gateway::routing
