#pragma once
// The jwt plugin's access phase, as Kong 3.x's kong/plugins/jwt/handler.lua runs it: find the
// token, decode it, look the credential up by its key claim, check the algorithm, the signature,
// then exp/nbf and the maximum lifetime. Pure: the caller applies the outcome.
#include <chrono>
#include <string>
#include <variant>

#include "gateway/plugins/jwt/config.hpp"
#include "gateway/plugins/jwt/key_ring.hpp"
#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::jwt {

// The token verified: proxy with upstream_headers(...) applied.
// Views into the key ring's credential: they live as long as the ring (the config snapshot).
struct Authenticated {
  const Consumer* consumer = nullptr;
  std::string_view credential_id;
  std::string_view credential_key;
};

// Authentication failed and config.anonymous is set: the caller looks this consumer up (Kong
// tries it as an id, then as a username) and proxies with anonymous_upstream_headers(...); if
// there is no such consumer Kong fails the request, which unexpected_error() reproduces.
struct Anonymous {
  std::string consumer;
};

// The plugin does nothing for this request: an OPTIONS preflight with run_on_preflight = false,
// or config.anonymous is set and an earlier auth plugin already identified a credential.
struct Skipped {};

// Answer the client with this and do not proxy. Kong sends the body as JSON
// (Content-Type: application/json; charset=utf-8).
struct Rejection {
  int status = 401;
  std::string body;
  std::string www_authenticate;  // the WWW-Authenticate header value; empty: send none
};

using Outcome = std::variant<Authenticated, Anonymous, Skipped, Rejection>;

// Whether an auth plugin that ran earlier on this request already set a credential
// (kong.client.get_credential()): only consulted when config.anonymous is set.
enum class EarlierCredential { none, present };

Outcome authenticate(const Config& config, const Request& request, const KeyRing& keys,
                     std::chrono::system_clock::time_point now,
                     EarlierCredential earlier = EarlierCredential::none);

// 500 {"message":"An unexpected error occurred"}: Kong's answer whenever the plugin raises a Lua
// error (a key claim that is not a string, a wrongly sized ES*/PS* signature, claims that are a
// number, a missing anonymous consumer...).
Rejection unexpected_error();

}  // namespace bazaar::gateway::jwt
