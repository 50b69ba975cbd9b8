#include "gateway/proxy/upstream_pool.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace bazaar::gateway::proxy {

namespace {
constexpr auto kTrustedIdle = std::chrono::milliseconds(50);

// An idle HTTP connection has nothing to read: EOF means the upstream closed it, data means
// it is out of step. Either way it must not carry the next request.
bool still_usable(PlainStream& connection) {
  if (!connection.socket().is_open()) return false;
  char byte;
  const auto n = ::recv(connection.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
  return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}
}  // namespace

std::unique_ptr<PlainStream> UpstreamPool::take(const std::string& endpoint) {
  auto it = idle_.find(endpoint);
  if (it == idle_.end()) return nullptr;
  const auto now = std::chrono::steady_clock::now();
  while (!it->second.empty()) {
    Idle idle = std::move(it->second.back());
    it->second.pop_back();
    if (now - idle.since >= max_idle_time_) continue;
    // Upstreams close idle connections after seconds, not microseconds: a connection back
    // in the pool a moment ago is not asked (a system call per request); should it have
    // closed all the same, the request goes again on a fresh one (forward.cpp).
    if (now - idle.since < kTrustedIdle || still_usable(*idle.connection))
      return std::move(idle.connection);
  }
  return nullptr;
}

void UpstreamPool::give_back(const std::string& endpoint, std::unique_ptr<PlainStream> connection) {
  auto& list = idle_[endpoint];
  if (list.size() >= max_idle_) return;
  list.push_back(Idle{std::move(connection), std::chrono::steady_clock::now()});
}

std::size_t UpstreamPool::idle_count() const {
  std::size_t n = 0;
  for (const auto& [endpoint, list] : idle_) n += list.size();
  return n;
}

}  // namespace bazaar::gateway::proxy
