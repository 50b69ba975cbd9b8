#pragma once
// Counters in this process's memory (Kong's `local` policy), shared by all worker threads.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
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
  bool add_inline(const CountQuery& query, std::span<std::int64_t> counts) override;
  std::vector<std::int64_t> add_now(const CountQuery& query);

  bool counts_refused_requests() const override { return false; }

  // Live counters; windows that ended are dropped as their shard is next used.
  std::size_t size() const;

 private:
  struct Key {
    std::string subject;
    std::int64_t window_start;
    Period period;
  };
  // A key to look up with, without copying the subject; its hash is worked out once per
  // request (the subject is long) and reused for the shard and every period.
  struct KeyView {
    std::string_view subject;
    std::size_t subject_hash;
    std::int64_t window_start;
    Period period;
  };
  struct KeyHash {
    using is_transparent = void;
    std::size_t operator()(const Key& key) const noexcept;
    std::size_t operator()(const KeyView& key) const noexcept;
  };
  struct KeyEqual {
    using is_transparent = void;
    template <class A, class B>
    bool operator()(const A& a, const B& b) const noexcept {
      return a.window_start == b.window_start && a.period == b.period &&
             std::string_view(a.subject) == std::string_view(b.subject);
    }
  };
  struct Counter {
    std::int64_t count = 0;
    Seconds expires_at;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::unordered_map<Key, Counter, KeyHash, KeyEqual> counters;
    Seconds next_sweep{};
  };

  void sweep(Shard& shard, Seconds now);

  std::unique_ptr<Shard[]> shards_;
  std::size_t shard_count_;
};

}  // namespace bazaar::gateway::rate_limiting
