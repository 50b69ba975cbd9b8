#pragma once
// The plugin's access phase end to end: pick the identifier, count the request in every
// configured period, decide, and take the count back if the store keeps only admitted ones.
#include <functional>
#include <vector>

#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_key.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/rate_limiting/decision.hpp"
#include "gateway/plugins/rate_limiting/identifier.hpp"

namespace bazaar::gateway::rate_limiting {

// The configured periods, smallest first.
std::vector<Period> configured_periods(const Config& config);

// `done` runs exactly once, inline for LocalStore, on the store's thread for an async one.
// `config` and `store` must outlive that call; they are long-lived in the gateway.
// `facts` is read before check returns and need not outlive it.
void check(const Config& config, const PluginScope& scope, const RequestFacts& facts,
           CounterStore& store, Seconds now, std::function<void(Decision)> done);

}  // namespace bazaar::gateway::rate_limiting
