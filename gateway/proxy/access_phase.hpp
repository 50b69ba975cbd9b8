#pragma once
// The plugins' access phase for one request, in Kong's priority order: jwt (1450) ->
// rate-limiting (910) -> request-transformer (801). Each plugin's instance is chosen when its
// turn comes (Kong's plugins_iterator does the same), so a consumer authenticated by jwt
// selects consumer-scoped rate-limiting and request-transformer instances.
// Pure logic over a Snapshot: no sockets; the only asynchrony is a counter store's callback.
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "gateway/plugins/request.hpp"
#include "gateway/proxy/errors.hpp"
#include "gateway/proxy/snapshot.hpp"
#include "gateway/routing/router.hpp"

namespace bazaar::gateway::proxy {

struct AccessResult {
  Request request;  // as the plugins left it (headers, path, query, method, body)
  std::optional<Consumer> consumer;
  std::optional<std::string> credential_key;  // the jwt credential's key, for the access log
  // Set when a plugin answers instead of the upstream (401, 429, 500...).
  std::optional<GatewayResponse> response;
  // Headers every answer to the client gets (rate-limiting's X-RateLimit-*).
  std::vector<Header> response_headers;
  std::optional<std::string> upstream_host;  // Host set by request-transformer
  bool path_replaced = false;                // request-transformer's replace.uri: use request.path
  bool body_changed = false;                 // send the new body with a fresh Content-Length
  bool rate_limited = false;
  std::string error;  // why the answer is a 500, for the log
};

// `done` runs exactly once (the result is handed over by reference, moved only by the taker):
// inline when every counter store answers inline (the local policy), otherwise on the store's
// thread. `request.body` must hold the whole body if snapshot->may_rewrite_body(...) said so;
// otherwise it may be empty.
void run_access_phase(std::shared_ptr<const Snapshot> snapshot, Request request,
                      const routing::Match& match, std::chrono::system_clock::time_point now,
                      std::function<void(AccessResult&&)> done);

}  // namespace bazaar::gateway::proxy
