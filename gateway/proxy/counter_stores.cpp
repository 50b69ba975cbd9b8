#include "gateway/proxy/counter_stores.hpp"

#include <map>
#include <mutex>
#include <stdexcept>
#include <tuple>

#include "chassis/core/runtime.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/plugins/rate_limiting/redis_store.hpp"

namespace bazaar::gateway::proxy {
namespace {
// One RedisStore per worker; a request counts over its own worker's connection, so its
// callback comes back on the thread that handles it.
class PerWorkerRedisStore final : public rate_limiting::CounterStore {
 public:
  PerWorkerRedisStore(const std::vector<boost::asio::any_io_executor>& workers,
                      const rate_limiting::RedisConfig& config) {
    for (const auto& executor : workers)
      stores_.push_back(std::make_unique<rate_limiting::RedisStore>(executor, config));
  }
  void add(const rate_limiting::CountQuery& query, rate_limiting::CountCallback done) override {
    stores_[Runtime::current_worker()]->add(query, std::move(done));
  }
  bool counts_refused_requests() const override { return true; }

 private:
  std::vector<std::unique_ptr<rate_limiting::RedisStore>> stores_;
};

using RedisKey = std::tuple<std::string, int, int, std::string, std::string, int>;
}  // namespace

class RedisStores {
 public:
  explicit RedisStores(std::vector<boost::asio::any_io_executor> workers)
      : workers_(std::move(workers)) {}

  std::shared_ptr<rate_limiting::CounterStore> get(const rate_limiting::RedisConfig& c) {
    if (workers_.empty())
      throw config::ConfigError("rate-limiting: policy redis needs the gateway's workers");
    RedisKey key{c.host, c.port, c.database, c.username, c.password, c.timeout_ms};
    std::lock_guard lock(mu_);
    auto& store = stores_[key];
    if (!store) {
      try {
        store = std::make_shared<PerWorkerRedisStore>(workers_, c);
      } catch (const std::invalid_argument& e) {
        throw config::ConfigError(std::string("rate-limiting: ") + e.what());
      }
    }
    return store;
  }

 private:
  std::vector<boost::asio::any_io_executor> workers_;
  std::mutex mu_;  // reloads run on one thread, tests may build snapshots on others
  std::map<RedisKey, std::shared_ptr<rate_limiting::CounterStore>> stores_;
};

CounterStores::CounterStores()
    : redis(std::make_shared<RedisStores>(std::vector<boost::asio::any_io_executor>{})) {}

CounterStores::CounterStores(std::vector<boost::asio::any_io_executor> workers)
    : redis(std::make_shared<RedisStores>(std::move(workers))) {}

std::shared_ptr<rate_limiting::CounterStore> make_redis_counter_store(
    const rate_limiting::RedisConfig& redis, const CounterStores& stores) {
  return stores.redis->get(redis);
}

std::shared_ptr<rate_limiting::CounterStore> counter_store_for(const rate_limiting::Config& config,
                                                               const CounterStores& stores) {
  if (config.policy == rate_limiting::Policy::redis)
    return make_redis_counter_store(config.redis, stores);
  return stores.local;
}

}  // namespace bazaar::gateway::proxy
