#include "gateway/proxy/access_phase.hpp"

#include <algorithm>

#include "gateway/plugins/jwt/authenticate.hpp"
#include "gateway/plugins/jwt/upstream_headers.hpp"
#include "gateway/plugins/rate_limiting/rate_limiter.hpp"
#include "gateway/plugins/request_transformer/template.hpp"
#include "gateway/plugins/request_transformer/transformer.hpp"
#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

namespace {

// Every change replaces what the client sent under its name, so one pass removes them all and
// the new values follow in order: the same list as setting or removing them one by one.
void apply_header_changes(std::vector<Header>& headers, const jwt::HeaderChanges& changes) {
  std::erase_if(headers, [&changes](const Header& h) {
    return std::any_of(changes.begin(), changes.end(),
                       [&h](const jwt::HeaderChange& c) { return iequals(h.name, c.name); });
  });
  for (const jwt::HeaderChange& change : changes)
    if (change.value) headers.push_back({std::string(change.name), std::string(*change.value)});
}

request_transformer::UriCaptures to_uri_captures(const routing::Match& match) {
  request_transformer::UriCaptures captures;
  for (const std::string& c : match.captures) {
    if (c.empty()) {
      captures.positional.push_back(std::nullopt);
    } else {
      captures.positional.push_back(c);
    }
  }
  for (const auto& [name, value] : match.named_captures) captures.named.emplace(name, value);
  return captures;
}

}  // namespace

AccessPhase::AccessPhase(const Snapshot& snapshot, const routing::Match& match,
                         std::chrono::system_clock::time_point now, AccessResult& result)
    : snapshot_(snapshot),
      match_(match),
      now_(now),
      result_(result),
      scope_{match.route, match.service, std::nullopt} {}

bool AccessPhase::run() {
  if (!jwt_step()) return true;
  const RateLimitingInstance* instance = rate_limiting_instance();
  if (instance == nullptr) {
    transform_step();
    return true;
  }
  std::string service_id;
  auto decision =
      rate_limiting::check_inline(instance->config, instance->scope, facts(*instance, service_id),
                                  *instance->store, std::chrono::floor<std::chrono::seconds>(now_));
  if (!decision) return false;
  rate_limiting_decided(*std::move(decision));
  return true;
}

void AccessPhase::count(std::function<void(rate_limiting::Decision)> done) const {
  const RateLimitingInstance* instance = rate_limiting_instance();
  std::string service_id;
  rate_limiting::check(instance->config, instance->scope, facts(*instance, service_id),
                       *instance->store, std::chrono::floor<std::chrono::seconds>(now_),
                       std::move(done));
}

void AccessPhase::resume(rate_limiting::Decision decision) {
  rate_limiting_decided(std::move(decision));
}

const RateLimitingInstance* AccessPhase::rate_limiting_instance() const {
  const PluginInstance* plugin = snapshot_.find_plugin(kRateLimiting, scope_);
  return plugin == nullptr ? nullptr : &std::get<RateLimitingInstance>(plugin->config);
}

// `service_id` holds the service's id while the facts are read; it is looked up only for
// limit_by service, the one choice that reads it.
rate_limiting::RequestFacts AccessPhase::facts(const RateLimitingInstance& instance,
                                               std::string& service_id) const {
  rate_limiting::RequestFacts facts{result_.request, std::nullopt, std::nullopt, std::nullopt};
  if (result_.consumer) facts.consumer_id = result_.consumer->id;
  if (result_.credential_key) facts.credential_id = *result_.credential_key;
  if (scope_.service && instance.config.limit_by == rate_limiting::LimitBy::service) {
    service_id = snapshot_.service_id(*scope_.service);
    facts.service_id = service_id;
  }
  return facts;
}

void AccessPhase::rate_limiting_decided(rate_limiting::Decision decision) {
  if (!decision.allowed) {
    GatewayResponse refusal{decision.status, std::move(decision.body), {}};
    refusal.headers.reserve(decision.headers.size());
    for (rate_limiting::ClientHeader& h : decision.headers)
      refusal.headers.push_back({std::string(h.name), std::move(h.value)});
    result_.response = std::move(refusal);
    // A 500 is a counter store failure, not a refusal by limit.
    result_.rate_limited = decision.status != 500;
    return;
  }
  result_.response_headers = std::move(decision.headers);
  transform_step();
}

void AccessPhase::transform_step() {
  const PluginInstance* plugin = snapshot_.find_plugin(kRequestTransformer, scope_);
  if (plugin == nullptr) return;
  const auto& config = std::get<request_transformer::Config>(plugin->config);
  AccessResult& r = result_;
  // Templates see the request as it arrived at this plugin, so the context comes first.
  const auto context =
      request_transformer::make_context(config, r.request, to_uri_captures(match_), r.consumer);
  const std::string path_before = r.request.path;
  const auto outcome = request_transformer::apply(config, r.request, context);
  if (outcome.error) {
    r.response = unexpected_error();
    r.error = *outcome.error;
    return;
  }
  r.path_replaced = r.request.path != path_before;
  r.body_changed = outcome.body_changed;
  r.upstream_host = outcome.upstream_host;
}

bool AccessPhase::jwt_step() {
  const PluginInstance* plugin = snapshot_.find_plugin(kJwt, scope_);
  if (plugin == nullptr) return true;
  const auto& config = std::get<jwt::Config>(plugin->config);
  AccessResult& r = result_;
  const Snapshot& snap = snapshot_;
  auto outcome = jwt::authenticate(config, r.request, snap.keys, now_);
  if (auto* ok = std::get_if<jwt::Authenticated>(&outcome)) {
    apply_header_changes(r.request.headers, jwt::upstream_headers(*ok));
    scope_.consumer = snap.find_consumer(ok->consumer->id);
    r.consumer = ok->consumer;
    r.credential_key = ok->credential_key;
    return true;
  }
  if (auto* anonymous = std::get_if<jwt::Anonymous>(&outcome)) {
    const auto index = snap.find_consumer(anonymous->consumer);
    if (!index) {
      const auto rejection = jwt::unexpected_error();
      r.response = GatewayResponse{rejection.status, rejection.body, {}};
      r.error = "anonymous consumer '" + anonymous->consumer + "' not found";
      return false;
    }
    const Consumer& consumer = snap.consumers[*index];
    apply_header_changes(r.request.headers, jwt::anonymous_upstream_headers(consumer));
    scope_.consumer = index;
    r.consumer = &consumer;
    return true;
  }
  if (auto* rejection = std::get_if<jwt::Rejection>(&outcome)) {
    GatewayResponse answer{rejection->status, rejection->body, {}};
    if (!rejection->www_authenticate.empty())
      answer.headers.push_back({"WWW-Authenticate", rejection->www_authenticate});
    r.response = std::move(answer);
    return false;
  }
  return true;  // Skipped
}

}  // namespace bazaar::gateway::proxy
