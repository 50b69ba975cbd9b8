#include "gateway/plugins/rate_limiting/rate_limiter.hpp"

#include <array>
#include <memory>
#include <string>
#include <utility>

namespace bazaar::gateway::rate_limiting {

std::vector<Period> configured_periods(const Config& config) {
  std::vector<Period> periods;
  for (Period period : kPeriods) {
    if (config.limit(period)) periods.push_back(period);
  }
  return periods;
}

void check(const Config& config, const PluginScope& scope, const RequestFacts& facts,
           CounterStore& store, Seconds now, std::function<void(Decision)> done) {
  // Owned here because an asynchronous store calls back after this frame is gone. Everything
  // the callback needs is in here, so the callback holds one pointer and std::function keeps
  // it without allocating.
  struct Pending {
    std::string subject;
    std::vector<Period> periods;
    const Config* config;
    CounterStore* store;
    Seconds now;
    std::function<void(Decision)> done;
  };
  auto pending = std::make_shared<Pending>(
      Pending{counter_subject(scope, select_identifier(config, facts)), configured_periods(config),
              &config, &store, now, std::move(done)});

  const CountQuery query{pending->subject, pending->periods, now, 1};
  store.add(query, [pending](CountResult result) {
    const Config& config = *pending->config;
    if (result.error || result.counts.size() != pending->periods.size()) {
      pending->done(store_failed(config));
      return;
    }
    std::array<Usage, kPeriods.size()> usages;
    for (std::size_t i = 0; i < pending->periods.size(); ++i) {
      const Period period = pending->periods[i];
      usages[i] = {period, *config.limit(period), result.counts[i]};
    }
    Decision decision = decide(
        config, std::span<const Usage>(usages.data(), pending->periods.size()), pending->now);
    if (!decision.allowed && !pending->store->counts_refused_requests()) {
      pending->store->add(CountQuery{pending->subject, pending->periods, pending->now, -1},
                          [](CountResult) {});
    }
    pending->done(std::move(decision));
  });
}

}  // namespace bazaar::gateway::rate_limiting
