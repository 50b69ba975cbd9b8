#pragma once
// The client request as the gateway's plugins see it, between parsing and proxying: plain
// values, so plugin logic stays pure and testable without sockets.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bazaar::gateway {

struct Header {
  std::string name;  // as the client sent it; compared case-insensitively
  std::string value;
};

// Header names compare case-insensitively (ASCII). Inline: called for every header of every
// request, mostly with names of another length.
inline bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const char x = a[i], y = b[i];
    if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) return false;
  }
  return true;
}

// The first value of `name`, if any (kong.request.get_header).
inline std::optional<std::string_view> first_value(const std::vector<Header>& headers,
                                                   std::string_view name) {
  for (const Header& h : headers)
    if (iequals(h.name, name)) return std::string_view(h.value);
  return std::nullopt;
}

struct Request {
  std::string method;
  std::string path;             // as received, still percent-encoded, without the query
  std::string query;            // raw query string without the leading '?', "" when absent
  std::vector<Header> headers;  // in arrival order; a name may repeat
  std::string body;
  std::string client_ip;
};

// The consumer a request was authenticated as (Kong's consumer entity).
struct Consumer {
  std::string id;
  std::string username;   // "" when the consumer has none
  std::string custom_id;  // "" when the consumer has none
};

}  // namespace bazaar::gateway
