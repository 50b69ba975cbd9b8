#include "gateway/config/service_url.hpp"

#include <cctype>

namespace bazaar::gateway::config {

std::optional<ServiceUrl> parse_service_url(std::string_view url) {
  if (url.empty()) return std::nullopt;
  // LuaSocket drops the fragment and query before splitting; Kong keeps neither.
  url = url.substr(0, url.find('#'));
  url = url.substr(0, url.find('?'));

  std::optional<std::string> scheme;
  auto colon = url.find(':');
  if (colon != std::string_view::npos && colon > 0 &&
      std::isalpha(static_cast<unsigned char>(url[0]))) {
    bool valid = true;
    for (char c : url.substr(0, colon)) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
        valid = false;
      }
    }
    if (valid) {
      scheme = std::string(url.substr(0, colon));
      url.remove_prefix(colon + 1);
    }
  }

  ServiceUrl out;
  if (url.starts_with("//")) {
    url.remove_prefix(2);
    auto slash = url.find('/');
    auto authority = url.substr(0, slash);
    url = slash == std::string_view::npos ? std::string_view{} : url.substr(slash);
    if (auto at = authority.rfind('@'); at != std::string_view::npos) {
      authority.remove_prefix(at + 1);
    }
    auto port_colon = authority.rfind(':');
    if (port_colon != std::string_view::npos &&
        authority.find(']', port_colon) == std::string_view::npos) {
      out.port = std::string(authority.substr(port_colon + 1));
      authority = authority.substr(0, port_colon);
    }
    if (!authority.empty()) out.host = std::string(authority);
  }
  if (!url.empty()) out.path = std::string(url);

  if (scheme) {
    out.protocol = *scheme;
  } else {
    out.protocol = out.port == "443" ? "https" : "http";
  }
  if (!out.port) out.port = out.protocol == "https" ? "443" : "80";
  return out;
}

}  // namespace bazaar::gateway::config
