#pragma once
// The plugin's access phase end to end: pick the identifier, count the request in every
// configured period, decide, and take the count back if the store keeps only admitted ones.
#include <array>
#include <cstddef>
#include <functional>
#include <optional>
#include <span>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_key.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/rate_limiting/decision.hpp"
#include "gateway/plugins/rate_limiting/identifier.hpp"

namespace bazaar::gateway::rate_limiting {

// The configured periods, smallest first.
struct Periods {
  std::array<Period, kPeriods.size()> list{};
  std::size_t size = 0;
  std::span<const Period> span() const { return {list.data(), size}; }
};
Periods configured_periods(const Config& config);

// The decision at once when `store` counts inline (CounterStore::add_inline: the local
// policy); nullopt when it answers only through a callback, and then nothing was counted.
std::optional<Decision> check_inline(const Config& config, const PluginScope& scope,
                                     const RequestFacts& facts, CounterStore& store, Seconds now);

// Any store. `done` runs exactly once, inline for LocalStore, on the store's thread for an
// async one. `config` and `store` must outlive that call; they are long-lived in the gateway.
// `facts` is read before check returns and need not outlive it.
void check(const Config& config, const PluginScope& scope, const RequestFacts& facts,
           CounterStore& store, Seconds now, std::function<void(Decision)> done);

}  // namespace bazaar::gateway::rate_limiting
