#pragma once
// Internal to gateway/proxy: one worker's idle keep-alive connections to upstream endpoints
// ("ip:port"). Not thread-safe: each worker owns one, and coroutines never change thread.
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/proxy/stream.hpp"

namespace bazaar::gateway::proxy {

class UpstreamPool {
 public:
  UpstreamPool(std::size_t max_idle_per_endpoint, std::chrono::milliseconds max_idle_time)
      : max_idle_(max_idle_per_endpoint), max_idle_time_(max_idle_time) {}

  // A live idle connection to `endpoint`, or nullptr. Connections the upstream closed while
  // idle (or that sent unsolicited bytes) are dropped here rather than failing a request.
  std::unique_ptr<PlainStream> take(const std::string& endpoint);
  void give_back(const std::string& endpoint, std::unique_ptr<PlainStream> connection);
  std::size_t idle_count() const;

 private:
  struct Idle {
    std::unique_ptr<PlainStream> connection;
    std::chrono::steady_clock::time_point since;
  };
  std::size_t max_idle_;
  std::chrono::milliseconds max_idle_time_;
  std::unordered_map<std::string, std::vector<Idle>> idle_;
};

}  // namespace bazaar::gateway::proxy
