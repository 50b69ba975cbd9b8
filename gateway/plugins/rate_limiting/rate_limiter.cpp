#include "gateway/plugins/rate_limiting/rate_limiter.hpp"

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
  // Owned here because an asynchronous store calls back after this frame is gone.
  struct Pending {
    std::string subject;
    std::vector<Period> periods;
  };
  auto pending = std::make_shared<Pending>(Pending{
      counter_subject(scope, select_identifier(config, facts)), configured_periods(config)});

  const CountQuery query{pending->subject, pending->periods, now, 1};
  store.add(query, [&config, &store, now, pending, done = std::move(done)](CountResult result) {
    if (result.error || result.counts.size() != pending->periods.size()) {
      done(store_failed(config));
      return;
    }
    std::vector<Usage> usages;
    usages.reserve(pending->periods.size());
    for (std::size_t i = 0; i < pending->periods.size(); ++i) {
      const Period period = pending->periods[i];
      usages.push_back({period, *config.limit(period), result.counts[i]});
    }
    Decision decision = decide(config, usages, now);
    if (!decision.allowed && !store.counts_refused_requests()) {
      store.add(CountQuery{pending->subject, pending->periods, now, -1}, [](CountResult) {});
    }
    done(std::move(decision));
  });
}

}  // namespace bazaar::gateway::rate_limiting
