#include "gateway/proxy/access_phase.hpp"

#include "gateway/plugins/jwt/authenticate.hpp"
#include "gateway/plugins/jwt/upstream_headers.hpp"
#include "gateway/plugins/rate_limiting/rate_limiter.hpp"
#include "gateway/plugins/request_transformer/template.hpp"
#include "gateway/plugins/request_transformer/transformer.hpp"
#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

namespace {

struct PhaseState {
  std::shared_ptr<const Snapshot> snapshot;
  AccessResult result;
  Scope scope;
  request_transformer::UriCaptures captures;
  std::chrono::system_clock::time_point now;
  std::function<void(AccessResult&&)> done;

  void finish() { done(std::move(result)); }
};

void apply_header_changes(std::vector<Header>& headers, std::vector<jwt::HeaderChange> changes) {
  for (jwt::HeaderChange& change : changes) {
    if (change.value) {
      set_header(headers, change.name, std::move(*change.value));
    } else {
      remove_all(headers, change.name);
    }
  }
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

void transform_step(const std::shared_ptr<PhaseState>& st) {
  const PluginInstance* plugin = st->snapshot->find_plugin(kRequestTransformer, st->scope);
  if (plugin == nullptr) return st->finish();
  const auto& config = std::get<request_transformer::Config>(plugin->config);
  AccessResult& r = st->result;
  // Templates see the request as it arrived at this plugin, so the context comes first.
  const auto context =
      request_transformer::make_template_context(r.request, std::move(st->captures), r.consumer);
  const std::string path_before = r.request.path;
  const auto outcome = request_transformer::apply(config, r.request, context);
  if (outcome.error) {
    r.response = unexpected_error();
    r.error = *outcome.error;
    return st->finish();
  }
  r.path_replaced = r.request.path != path_before;
  r.body_changed = outcome.body_changed;
  r.upstream_host = outcome.upstream_host;
  st->finish();
}

void rate_limiting_step(const std::shared_ptr<PhaseState>& st) {
  const PluginInstance* plugin = st->snapshot->find_plugin(kRateLimiting, st->scope);
  if (plugin == nullptr) return transform_step(st);
  const auto& instance = std::get<RateLimitingInstance>(plugin->config);
  AccessResult& r = st->result;
  std::string service_id;
  if (st->scope.service) service_id = st->snapshot->service_id(*st->scope.service);
  rate_limiting::RequestFacts facts{r.request, std::nullopt, std::nullopt, std::nullopt};
  if (r.consumer) facts.consumer_id = r.consumer->id;
  if (r.credential_key) facts.credential_id = *r.credential_key;
  if (st->scope.service) facts.service_id = service_id;
  const auto now = std::chrono::floor<std::chrono::seconds>(st->now);
  rate_limiting::check(instance.config, instance.scope, facts, *instance.store, now,
                       [st](rate_limiting::Decision decision) {
                         if (!decision.allowed) {
                           st->result.response =
                               GatewayResponse{decision.status, std::move(decision.body),
                                               std::move(decision.headers)};
                           // A 500 is a counter store failure, not a refusal by limit.
                           st->result.rate_limited = decision.status != 500;
                           return st->finish();
                         }
                         st->result.response_headers = std::move(decision.headers);
                         transform_step(st);
                       });
}

// Returns false when the request is answered already.
bool jwt_step(const std::shared_ptr<PhaseState>& st) {
  const PluginInstance* plugin = st->snapshot->find_plugin(kJwt, st->scope);
  if (plugin == nullptr) return true;
  const auto& config = std::get<jwt::Config>(plugin->config);
  AccessResult& r = st->result;
  const Snapshot& snap = *st->snapshot;
  auto outcome = jwt::authenticate(config, r.request, snap.keys, st->now);
  if (auto* ok = std::get_if<jwt::Authenticated>(&outcome)) {
    apply_header_changes(r.request.headers, jwt::upstream_headers(*ok));
    st->scope.consumer = snap.find_consumer(ok->consumer.id);
    r.consumer = std::move(ok->consumer);  // the outcome is not read after this
    r.credential_key = std::move(ok->credential_key);
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
    st->scope.consumer = index;
    r.consumer = consumer;
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

}  // namespace

void run_access_phase(std::shared_ptr<const Snapshot> snapshot, Request request,
                      const routing::Match& match, std::chrono::system_clock::time_point now,
                      std::function<void(AccessResult&&)> done) {
  auto st = std::make_shared<PhaseState>();
  st->snapshot = std::move(snapshot);
  st->result.request = std::move(request);
  st->scope = Scope{match.route, match.service, std::nullopt};
  st->captures = to_uri_captures(match);
  st->now = now;
  st->done = std::move(done);
  if (!jwt_step(st)) return st->finish();
  rate_limiting_step(st);
}

}  // namespace bazaar::gateway::proxy
