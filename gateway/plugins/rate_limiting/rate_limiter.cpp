#include "gateway/plugins/rate_limiting/rate_limiter.hpp"

#include <memory>
#include <string>
#include <utility>

namespace bazaar::gateway::rate_limiting {

namespace {

// The request's counter subject, built in a per-thread buffer: it is read only while the
// store is called, and an asynchronous store copies it.
std::string_view subject_of(const Config& config, const PluginScope& scope,
                            const RequestFacts& facts) {
  thread_local std::string subject;
  subject.clear();
  append_subject_prefix(subject, scope);
  append_identifier(subject, config, facts);
  return subject;
}

Decision decide_on(const Config& config, std::span<const Period> periods,
                   std::span<const std::int64_t> counts, Seconds now) {
  std::array<Usage, kPeriods.size()> usages;
  for (std::size_t i = 0; i < periods.size(); ++i) {
    usages[i] = {periods[i], *config.limit(periods[i]), counts[i]};
  }
  return decide(config, std::span<const Usage>(usages.data(), periods.size()), now);
}

}  // namespace

Periods configured_periods(const Config& config) {
  Periods periods;
  for (Period period : kPeriods) {
    if (config.limit(period)) periods.list[periods.size++] = period;
  }
  return periods;
}

std::optional<Decision> check_inline(const Config& config, const PluginScope& scope,
                                     const RequestFacts& facts, CounterStore& store, Seconds now) {
  const Periods periods = configured_periods(config);
  const CountQuery query{subject_of(config, scope, facts), periods.span(), now, 1};
  std::array<std::int64_t, kPeriods.size()> counts;
  const std::span<std::int64_t> filled(counts.data(), periods.size);
  if (!store.add_inline(query, filled)) return std::nullopt;
  Decision decision = decide_on(config, periods.span(), filled, now);
  if (!decision.allowed && !store.counts_refused_requests()) {
    store.add_inline(CountQuery{query.subject, query.periods, now, -1}, filled);
  }
  return decision;
}

void check(const Config& config, const PluginScope& scope, const RequestFacts& facts,
           CounterStore& store, Seconds now, std::function<void(Decision)> done) {
  // Owned here because an asynchronous store calls back after this frame is gone. Everything
  // the callback needs is in here, so the callback holds one pointer.
  struct Pending {
    std::string subject;
    Periods periods;
    const Config* config;
    CounterStore* store;
    Seconds now;
    std::function<void(Decision)> done;
  };
  auto pending = std::make_shared<Pending>(Pending{std::string(subject_of(config, scope, facts)),
                                                   configured_periods(config), &config, &store, now,
                                                   std::move(done)});

  const CountQuery query{pending->subject, pending->periods.span(), now, 1};
  store.add(query, [pending](CountResult result) {
    const Config& config = *pending->config;
    const std::span<const Period> periods = pending->periods.span();
    if (result.error || result.counts.size() != periods.size()) {
      pending->done(store_failed(config));
      return;
    }
    Decision decision = decide_on(config, periods, result.counts, pending->now);
    if (!decision.allowed && !pending->store->counts_refused_requests()) {
      pending->store->add(CountQuery{pending->subject, periods, pending->now, -1},
                          [](CountResult) {});
    }
    pending->done(std::move(decision));
  });
}

}  // namespace bazaar::gateway::rate_limiting
