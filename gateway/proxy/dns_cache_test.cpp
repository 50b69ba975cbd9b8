#include "gateway/proxy/dns_cache.hpp"

#include <gtest/gtest.h>

using namespace bazaar::gateway::proxy;
using namespace std::chrono_literals;

namespace {
boost::asio::ip::tcp::endpoint at(const char* address, unsigned short port) {
  return {boost::asio::ip::make_address(address), port};
}
}  // namespace

TEST(DnsCache, AnswersUntilTheTtlEndsThenAsksAgain) {
  DnsCache cache(30s);
  const auto t0 = DnsCache::Clock::time_point{} + 1h;
  EXPECT_FALSE(cache.find("user-service", 8080, t0));
  cache.remember("user-service", 8080, at("192.0.2.7", 8080), t0);
  EXPECT_EQ(cache.find("user-service", 8080, t0 + 29s), at("192.0.2.7", 8080));
  EXPECT_FALSE(cache.find("user-service", 8080, t0 + 30s)) << "expired";
  EXPECT_FALSE(cache.find("user-service", 8080, t0 + 1s)) << "an expired entry is gone";
}

TEST(DnsCache, KeepsNamesAndPortsApart) {
  DnsCache cache;
  const auto t0 = DnsCache::Clock::time_point{} + 1h;
  cache.remember("a", 80, at("127.0.0.1", 80), t0);
  EXPECT_FALSE(cache.find("a", 81, t0));
  EXPECT_FALSE(cache.find("b", 80, t0));
  cache.remember("a", 80, at("127.0.0.2", 80), t0);
  EXPECT_EQ(cache.find("a", 80, t0), at("127.0.0.2", 80)) << "a newer answer replaces the old";
}
