#pragma once
// The plugins' access phase for one request, in Kong's priority order: jwt (1450) ->
// rate-limiting (910) -> request-transformer (801). Each plugin's instance is chosen when its
// turn comes (Kong's plugins_iterator does the same), so a consumer authenticated by jwt
// selects consumer-scoped rate-limiting and request-transformer instances.
// Pure logic over a Snapshot: no sockets; the only asynchrony is a counter store's callback.
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/rate_limiting/decision.hpp"
#include "gateway/plugins/rate_limiting/identifier.hpp"
#include "gateway/plugins/request.hpp"
#include "gateway/proxy/errors.hpp"
#include "gateway/proxy/snapshot.hpp"
#include "gateway/routing/router.hpp"

namespace bazaar::gateway::proxy {

struct AccessResult {
  Request request;  // as the plugins left it (headers, path, query, method, body)
  // The authenticated consumer and the jwt credential's key: views into the snapshot, which the
  // request holds until it is done.
  const Consumer* consumer = nullptr;
  std::optional<std::string_view> credential_key;
  // Set when a plugin answers instead of the upstream (401, 429, 500...).
  std::optional<GatewayResponse> response;
  // Headers every answer to the client gets (rate-limiting's X-RateLimit-*).
  std::vector<rate_limiting::ClientHeader> response_headers;
  std::optional<std::string> upstream_host;  // Host set by request-transformer
  bool path_replaced = false;                // request-transformer's replace.uri: use request.path
  bool body_changed = false;                 // send the new body with a fresh Content-Length
  bool rate_limited = false;
  std::string error;  // why the answer is a 500, for the log
};

// One request's access phase. The plugins' outcome is written into `result`, whose `request`
// holds the request on entry. `request.body` must hold the whole body if
// snapshot.may_rewrite_body(...) said so; otherwise it may be empty. The snapshot, match and
// result must outlive the phase.
class AccessPhase {
 public:
  AccessPhase(const Snapshot& snapshot, const routing::Match& match,
              std::chrono::system_clock::time_point now, AccessResult& result);

  // Runs the plugins as far as they answer at once: true when the phase is finished. False
  // when rate-limiting counts in a store that answers later (the redis policy): then call
  // count(), and resume() with the decision it delivers.
  bool run();
  // `done` runs exactly once, on the store's thread.
  void count(std::function<void(rate_limiting::Decision)> done) const;
  void resume(rate_limiting::Decision decision);

 private:
  bool jwt_step();  // false when the request is answered already
  const RateLimitingInstance* rate_limiting_instance() const;
  rate_limiting::RequestFacts facts(const RateLimitingInstance& instance,
                                    std::string& service_id) const;
  void rate_limiting_decided(rate_limiting::Decision decision);
  void transform_step();

  const Snapshot& snapshot_;
  const routing::Match& match_;
  std::chrono::system_clock::time_point now_;
  AccessResult& result_;
  Scope scope_;
};

}  // namespace bazaar::gateway::proxy
