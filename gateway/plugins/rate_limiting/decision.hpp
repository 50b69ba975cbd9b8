#pragma once
// Turns counts into Kong's answer: pass with X-RateLimit-* / RateLimit-* headers, or refuse
// with error_code, error_message and Retry-After (kong/plugins/rate-limiting/handler.lua).
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::rate_limiting {

// A header for the client. Its name is one of a few constants (see period.hpp), so a request's
// headers take no allocation for their names.
struct ClientHeader {
  std::string_view name;
  std::string value;
};

struct Decision {
  bool allowed = true;
  // When refused: the status and JSON body to answer with instead of proxying.
  int status = 0;
  std::string body;
  // Headers for the client: added to the upstream's response when allowed, to the refusal
  // otherwise. Empty when hide_client_headers is set.
  std::vector<ClientHeader> headers;
};

// `usages` holds one entry per configured period with the count including this request.
Decision decide(const Config& config, std::span<const Usage> usages, Seconds now);

// The counter store failed: with fault_tolerant the request passes without any rate-limit
// headers (Kong logs the error); otherwise Kong raises a Lua error, answered as 500.
Decision store_failed(const Config& config);

}  // namespace bazaar::gateway::rate_limiting
