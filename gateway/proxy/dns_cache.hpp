#pragma once
// Internal to gateway/proxy: one worker's answers to "which address is host:port?".
// Resolving through getaddrinfo runs on a helper thread and costs more than proxying a small
// request, and a service named `user-service` (as in a Kubernetes cluster) would otherwise be
// looked up for every request. Answers are kept for `ttl`; failures are not kept, so a name
// that starts to resolve is used at once. Not thread-safe: each worker owns one; time is
// passed in, so it is unit-tested without waiting.
#include <chrono>
#include <optional>
#include <string>
#include <unordered_map>

#include <boost/asio/ip/tcp.hpp>

namespace bazaar::gateway::proxy {

class DnsCache {
 public:
  using Clock = std::chrono::steady_clock;
  explicit DnsCache(std::chrono::milliseconds ttl = std::chrono::seconds(30)) : ttl_(ttl) {}

  std::optional<boost::asio::ip::tcp::endpoint> find(const std::string& host, std::uint16_t port,
                                                     Clock::time_point now);
  void remember(const std::string& host, std::uint16_t port,
                const boost::asio::ip::tcp::endpoint& endpoint, Clock::time_point now);

 private:
  struct Entry {
    boost::asio::ip::tcp::endpoint endpoint;
    Clock::time_point expires;
  };
  static std::string key(const std::string& host, std::uint16_t port) {
    return host + ":" + std::to_string(port);
  }
  std::chrono::milliseconds ttl_;
  std::unordered_map<std::string, Entry> entries_;
};

}  // namespace bazaar::gateway::proxy
