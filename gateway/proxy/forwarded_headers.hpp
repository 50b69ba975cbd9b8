#pragma once
// The X-Forwarded-* and X-Real-IP headers Kong sets on the upstream request
// (kong/runloop/handler.lua, access.after) with the default trusted_ips (none trusted): the
// client's own X-Forwarded-For is extended, everything else is replaced with what this
// gateway saw, so a client cannot pose as another scheme, host or port.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

struct ClientConnectionFacts {
  std::string client_ip;                       // the peer address of the client connection
  std::string scheme;                          // "http" or "https": how the client reached us
  std::string host;                            // the Host header as received (may carry ":port")
  std::uint16_t port = 0;                      // the port the client connected to
  std::string path;                            // the request path as received (no query)
  std::optional<std::string> stripped_prefix;  // what strip_path removed, if anything
};

// nginx's $host: the Host header without port, lower-cased.
std::string host_without_port(std::string_view host);

void apply_forwarded_headers(std::vector<Header>& headers, const ClientConnectionFacts& facts);

}  // namespace bazaar::gateway::proxy
