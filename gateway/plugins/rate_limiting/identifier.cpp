#include "gateway/plugins/rate_limiting/identifier.hpp"

#include <algorithm>

#include "gateway/uri/normalize_path.hpp"

namespace bazaar::gateway::rate_limiting {

namespace {

// The chosen value: a view into `facts` or `config`, valid while they are.
std::optional<std::string_view> chosen(const Config& config, const RequestFacts& facts) {
  switch (config.limit_by) {
    case LimitBy::consumer:
      if (facts.consumer_id) return facts.consumer_id;
      return facts.credential_id;
    case LimitBy::credential:
      return facts.credential_id;
    case LimitBy::service:
      return facts.service_id;
    case LimitBy::header:
      return first_value(facts.request.headers, config.header_name);
    case LimitBy::path:
      // Compared after normalisation (kong.request.get_path), so /a/../api counts as /api.
      if (uri::normalize_path(facts.request.path) == config.path) return config.path;
      return std::nullopt;
    case LimitBy::ip:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

void append_identifier(std::string& out, const Config& config, const RequestFacts& facts) {
  out += chosen(config, facts).value_or(facts.request.client_ip);
}

std::string select_identifier(const Config& config, const RequestFacts& facts) {
  std::string identifier;
  append_identifier(identifier, config, facts);
  return identifier;
}

}  // namespace bazaar::gateway::rate_limiting
