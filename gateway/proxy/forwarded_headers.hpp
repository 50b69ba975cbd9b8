#pragma once
// The X-Forwarded-* and X-Real-IP headers Kong sets on the upstream request
// (kong/runloop/handler.lua, access.after) with the default trusted_ips (none trusted): the
// client's own X-Forwarded-For is extended, everything else is replaced with what this
// gateway saw, so a client cannot pose as another scheme, host or port.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"
#include "gateway/proxy/hop_by_hop.hpp"

namespace bazaar::gateway::proxy {

struct ClientConnectionFacts {
  std::string_view client_ip;  // the peer address of the client connection
  std::string_view scheme;     // "http" or "https": how the client reached us
  std::string_view host;       // the Host header as received (may carry ":port")
  std::uint16_t port = 0;      // the port the client connected to
  std::string_view path;       // the request path as received (no query)
  std::optional<std::string_view> stripped_prefix;  // what strip_path removed, if anything
};

// nginx's $host: the Host header without port, lower-cased.
std::string host_without_port(std::string_view host);

// X-Real-IP, X-Forwarded-For/-Proto/-Host/-Port/-Path/-Prefix: the client's copies of these
// never reach the upstream (X-Forwarded-For's values are carried over into ours).
bool is_forwarded_header(std::string_view name);

// Ours, in Kong's order, each handed to `emit(name, value)` (views valid during the call):
// the proxy writes them straight into the upstream request head. The X-Forwarded-For values
// among the client's headers are carried over, unless the client's Connection header named
// it (`hop`).
using ForwardedHeaderSink = void (*)(void* context, std::string_view name, std::string_view value);
void emit_forwarded_headers(const std::vector<Header>& client_headers, const HopByHop& hop,
                            const ClientConnectionFacts& facts, ForwardedHeaderSink emit,
                            void* context);

}  // namespace bazaar::gateway::proxy
