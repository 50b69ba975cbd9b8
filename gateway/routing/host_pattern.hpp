#pragma once
// A route's `hosts` entry as the traditional_compatible router matches it
// (kong/router/compat.lua get_expression): exact, "*.suffix" or "prefix.*", optional ":port".
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::gateway::routing {

// Kong's split_host_port: the text after the first ':' is a port only if it is a number.
struct SplitHost {
  std::string_view host;
  std::optional<std::uint16_t> port;
};
SplitHost split_host_port(std::string_view text);

class HostPattern {
 public:
  explicit HostPattern(std::string_view route_host);

  bool is_wildcard() const { return kind_ != Kind::exact; }
  // `host` without its port; `port` is the port the request came in on.
  bool matches(std::string_view host, std::uint16_t port) const;

 private:
  enum class Kind { exact, suffix, prefix } kind_ = Kind::exact;
  std::string text_;  // lower-cased; without the '*' for wildcards
  std::optional<std::uint16_t> port_;
};

}  // namespace bazaar::gateway::routing
