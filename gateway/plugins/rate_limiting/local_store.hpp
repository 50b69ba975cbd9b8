#pragma once
// Counters in this process's memory (Kong's `local` policy), shared by all worker threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "gateway/plugins/rate_limiting/counter_store.hpp"

namespace bazaar::gateway::rate_limiting {

class LocalStore final : public CounterStore {
 public:
  // Threads contend only when their subjects hash to the same shard.
  explicit LocalStore(std::size_t shards = 64);

  // Answers inline; never fails.
  void add(const CountQuery& query, CountCallback done) override;
  std::vector<std::int64_t> add_now(const CountQuery& query);

  bool counts_refused_requests() const override { return false; }

  // Live counters; windows that ended are dropped as their shard is next used.
  std::size_t size() const;

 private:
  struct Key {
    std::string subject;
    std::int64_t window_start;
    Period period;
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    std::size_t operator()(const Key& key) const noexcept;
  };
  struct Counter {
    std::int64_t count = 0;
    Seconds expires_at;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Counter, KeyHash> counters;
    Seconds next_sweep{};
  };

  void sweep(Shard& shard, Seconds now);

  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_;
};

}  // namespace bazaar::gateway::rate_limiting
