#include "gateway/proxy/dns_cache.hpp"

namespace bazaar::gateway::proxy {

std::optional<boost::asio::ip::tcp::endpoint> DnsCache::find(const std::string& host,
                                                             std::uint16_t port,
                                                             Clock::time_point now) {
  auto it = entries_.find(key(host, port));
  if (it == entries_.end()) return std::nullopt;
  if (now >= it->second.expires) {
    entries_.erase(it);
    return std::nullopt;
  }
  return it->second.endpoint;
}

void DnsCache::remember(const std::string& host, std::uint16_t port,
                        const boost::asio::ip::tcp::endpoint& endpoint, Clock::time_point now) {
  entries_[key(host, port)] = Entry{endpoint, now + ttl_};
}

}  // namespace bazaar::gateway::proxy
