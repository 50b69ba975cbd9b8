#include "gateway/plugins/rate_limiting/local_store.hpp"

#include <functional>
#include <string_view>

namespace bazaar::gateway::rate_limiting {

namespace {

// Expired windows are dropped at most this often per shard, so a sweep's cost is spread.
constexpr std::chrono::seconds kSweepInterval{1};

std::size_t mix(std::size_t seed, std::size_t value) {
  return seed ^ (value + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

}  // namespace

std::size_t LocalStore::KeyHash::operator()(const KeyView& key) const noexcept {
  std::size_t hash = key.subject_hash;
  hash = mix(hash, static_cast<std::size_t>(key.window_start));
  return mix(hash, static_cast<std::size_t>(key.period));
}

std::size_t LocalStore::KeyHash::operator()(const Key& key) const noexcept {
  return (*this)(KeyView{key.subject, std::hash<std::string_view>{}(key.subject), key.window_start,
                         key.period});
}

LocalStore::LocalStore(std::size_t shards)
    : shards_(std::make_unique<Shard[]>(shards == 0 ? 1 : shards)),
      shard_count_(shards == 0 ? 1 : shards) {}

void LocalStore::add(const CountQuery& query, CountCallback done) {
  done(CountResult{add_now(query), std::nullopt});
}

std::vector<std::int64_t> LocalStore::add_now(const CountQuery& query) {
  std::vector<std::int64_t> counts(query.periods.size());
  add_inline(query, counts);
  return counts;
}

bool LocalStore::add_inline(const CountQuery& query, std::span<std::int64_t> counts) {
  // All periods of one subject live in one shard: one lock per request.
  const std::size_t subject_hash = std::hash<std::string_view>{}(query.subject);
  Shard& shard = shards_[subject_hash % shard_count_];

  const std::lock_guard lock(shard.mutex);
  sweep(shard, query.now);
  for (std::size_t i = 0; i < query.periods.size(); ++i) {
    const Period period = query.periods[i];
    const KeyView key{query.subject, subject_hash,
                      window_start(period, query.now).time_since_epoch().count(), period};
    auto it = shard.counters.find(key);
    if (it == shard.counters.end()) {
      it =
          shard.counters.emplace(Key{std::string(key.subject), key.window_start, period}, Counter{})
              .first;
      it->second.expires_at = window_end(period, query.now);
    }
    it->second.count += query.delta;
    counts[i] = it->second.count;
  }
  return true;
}

void LocalStore::sweep(Shard& shard, Seconds now) {
  if (now < shard.next_sweep) return;
  shard.next_sweep = now + kSweepInterval;
  std::erase_if(shard.counters,
                [now](const auto& entry) { return entry.second.expires_at <= now; });
}

std::size_t LocalStore::size() const {
  std::size_t total = 0;
  for (std::size_t i = 0; i < shard_count_; ++i) {
    const std::lock_guard lock(shards_[i].mutex);
    total += shards_[i].counters.size();
  }
  return total;
}

}  // namespace bazaar::gateway::rate_limiting
