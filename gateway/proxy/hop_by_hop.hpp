#pragma once
// Hop-by-hop headers (RFC 9110 7.6.1) describe one connection, not the message: a proxy
// must not pass them on, in either direction. Framing (Content-Length / Transfer-Encoding)
// is decided afresh for each hop by the proxy, so it is removed here too.
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

// Connection, Keep-Alive, TE, Trailer, Transfer-Encoding, Upgrade, Proxy-* (Proxy-Connection,
// Proxy-Authorization, Proxy-Authenticate...). Content-Length is not hop-by-hop: the caller
// decides framing separately.
bool is_hop_by_hop(std::string_view name);

// Which headers of one message stay on this hop: the fixed names above plus every name its
// Connection headers list. Feed it each header first, then ask; the heads are copied in one
// pass without a header list of their own.
class HopByHop {
 public:
  void note(std::string_view name, std::string_view value);
  bool drops(std::string_view name) const;

 private:
  std::vector<std::string> listed_;  // named by Connection (usually nothing)
};

}  // namespace bazaar::gateway::proxy
