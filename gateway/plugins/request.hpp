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
