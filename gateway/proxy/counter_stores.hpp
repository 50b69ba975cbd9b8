#pragma once
// Where rate-limiting plugin instances count. Local counters live for the whole process and
// are shared by every snapshot: counter names carry the plugin's route/service ids, so a
// reload that keeps a plugin keeps its counts, as Kong's shared-dict counters do. Redis
// stores are made once per Redis (host, port, database, credentials) and worker, and kept
// across reloads with their connections.
#include <boost/asio/any_io_executor.hpp>
#include <memory>
#include <vector>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/rate_limiting/local_store.hpp"

namespace bazaar::gateway::proxy {

class RedisStores;

struct CounterStores {
  CounterStores();
  // The workers' executors: each worker counts in Redis over a connection of its own.
  explicit CounterStores(std::vector<boost::asio::any_io_executor> workers);

  std::shared_ptr<rate_limiting::LocalStore> local = std::make_shared<rate_limiting::LocalStore>();
  std::shared_ptr<RedisStores> redis;
};

// The store a `policy: redis` instance counts in: the calling worker's connection to that
// Redis. Throws config::ConfigError when there are no workers to connect from, or for a
// Redis setting the store cannot honour (TLS).
std::shared_ptr<rate_limiting::CounterStore> make_redis_counter_store(
    const rate_limiting::RedisConfig& redis, const CounterStores& stores);

// The store for one plugin instance's policy.
std::shared_ptr<rate_limiting::CounterStore> counter_store_for(const rate_limiting::Config& config,
                                                               const CounterStores& stores);

}  // namespace bazaar::gateway::proxy
