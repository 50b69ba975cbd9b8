#pragma once
// Applies a request-transformer config to a request, in Kong's order
// (kong/plugins/request-transformer/access.lua `execute`): uri, http_method, headers, body,
// query string; within each, remove -> rename -> replace -> add -> append.
#include <optional>
#include <string>

#include "gateway/plugins/request.hpp"
#include "gateway/plugins/request_transformer/config.hpp"
#include "gateway/plugins/request_transformer/template.hpp"

namespace bazaar::gateway::request_transformer {

struct Outcome {
  // The body was re-encoded: the proxy must send the new length (Kong sets Content-Length).
  bool body_changed = false;
  // Set when the Host header was replaced (or renamed onto): the upstream host to send,
  // as Kong's `ngx.var.upstream_host`. The request's Host header is updated too.
  std::optional<std::string> upstream_host;
  // Where Kong raises a Lua error and answers 500 {"message":"An unexpected error occurred"}:
  // a replace.uri that does not render to "/...", a JSON body that is a bare scalar.
  // The request may be partly transformed; do not proxy it.
  std::optional<std::string> error;
};

// The context `config`'s templates render from, made from the request before apply() changes
// it: templates see the client's original headers and query, not the ones being rewritten.
// Copies only the parts of the request the templates read (most configs read none, or only
// the consumer). `consumer` must outlive the context.
TemplateContext make_context(const Config& config, const Request& request, UriCaptures captures,
                             const Consumer* consumer);

// `context`: make_context(config, request, ...).
Outcome apply(const Config& config, Request& request, const TemplateContext& context);

}  // namespace bazaar::gateway::request_transformer
