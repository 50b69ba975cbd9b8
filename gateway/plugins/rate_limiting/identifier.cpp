#include "gateway/plugins/rate_limiting/identifier.hpp"

#include <algorithm>

#include "gateway/uri/normalize_path.hpp"

namespace bazaar::gateway::rate_limiting {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    return lower(x) == lower(y);
  });
}

// kong.request.get_header: the first occurrence.
std::optional<std::string_view> first_header(const Request& request, std::string_view name) {
  for (const Header& header : request.headers) {
    if (equals_ignoring_case(header.name, name)) return header.value;
  }
  return std::nullopt;
}

std::optional<std::string> chosen(const Config& config, const RequestFacts& facts) {
  switch (config.limit_by) {
    case LimitBy::consumer:
      if (facts.consumer_id) return std::string(*facts.consumer_id);
      if (facts.credential_id) return std::string(*facts.credential_id);
      return std::nullopt;
    case LimitBy::credential:
      if (facts.credential_id) return std::string(*facts.credential_id);
      return std::nullopt;
    case LimitBy::service:
      if (facts.service_id) return std::string(*facts.service_id);
      return std::nullopt;
    case LimitBy::header:
      if (auto value = first_header(facts.request, config.header_name)) {
        return std::string(*value);
      }
      return std::nullopt;
    case LimitBy::path: {
      // Compared after normalisation (kong.request.get_path), so /a/../api counts as /api.
      std::string path = uri::normalize_path(facts.request.path);
      if (path == config.path) return path;
      return std::nullopt;
    }
    case LimitBy::ip:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::string select_identifier(const Config& config, const RequestFacts& facts) {
  if (auto identifier = chosen(config, facts)) return *std::move(identifier);
  return facts.request.client_ip;
}

}  // namespace bazaar::gateway::rate_limiting
