#include "gateway/plugins/rate_limiting/rate_limiter.hpp"

#include <gtest/gtest.h>

#include <map>
#include <utility>

#include "gateway/plugins/rate_limiting/local_store.hpp"

namespace bazaar::gateway::rate_limiting {
namespace {

using namespace std::chrono;

const Seconds kNoon = sys_days{year{2024} / 5 / 17} + hours{12};

std::map<std::string, std::string> headers_of(const Decision& decision) {
  std::map<std::string, std::string> headers;
  for (const ClientHeader& header : decision.headers)
    headers[std::string(header.name)] = header.value;
  return headers;
}

class RateLimiterTest : public ::testing::Test {
 protected:
  // As the gateway does: inline when the store can, through the callback otherwise.
  Decision send(const Config& config, CounterStore& store, Seconds now,
                std::optional<std::string_view> consumer = std::nullopt) {
    const RequestFacts facts{request_, consumer, std::nullopt, std::nullopt};
    if (auto decision = check_inline(config, scope_, facts, store, now)) return *decision;
    return send_through_callback(config, store, now, facts);
  }

  Decision send_through_callback(const Config& config, CounterStore& store, Seconds now,
                                 const RequestFacts& facts) {
    std::optional<Decision> result;
    check(config, scope_, facts, store, now,
          [&](Decision decision) { result = std::move(decision); });
    EXPECT_TRUE(result.has_value());
    return result.value_or(Decision{});
  }

  static Config per_minute(std::int64_t minute, std::optional<std::int64_t> hour = std::nullopt) {
    Config config;
    config.limits[static_cast<std::size_t>(Period::minute)] = minute;
    config.limits[static_cast<std::size_t>(Period::hour)] = hour;
    return config;
  }

  Request request_{"GET", "/orders", "", {}, "", "192.0.2.1"};
  PluginScope scope_{"route-1", ""};
};

TEST_F(RateLimiterTest, LimitRequestsPassAndTheNextIsRefused) {
  LocalStore store;
  const Config config = per_minute(3);
  for (int n = 1; n <= 3; ++n) {
    const Decision decision = send(config, store, kNoon + seconds{n});
    EXPECT_TRUE(decision.allowed) << n;
    EXPECT_EQ(headers_of(decision)["X-RateLimit-Remaining-Minute"], std::to_string(3 - n));
  }
  const Decision refused = send(config, store, kNoon + seconds{10});
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.status, 429);
  EXPECT_EQ(headers_of(refused)["Retry-After"], "50");
  EXPECT_FALSE(send(config, store, kNoon + seconds{11}).allowed);
}

TEST_F(RateLimiterTest, TheNextWindowStartsAfresh) {
  LocalStore store;
  const Config config = per_minute(1);
  EXPECT_TRUE(send(config, store, kNoon + seconds{59}).allowed);
  EXPECT_FALSE(send(config, store, kNoon + seconds{59}).allowed);
  const Decision next = send(config, store, kNoon + seconds{60});
  EXPECT_TRUE(next.allowed);
  EXPECT_EQ(headers_of(next)["RateLimit-Reset"], "60");
}

TEST_F(RateLimiterTest, RefusedRequestsDoNotCountWithTheLocalStore) {
  // As Kong's local policy: only admitted requests are counted, so hammering during a
  // refused minute does not eat the hour's allowance.
  LocalStore store;
  const Config config = per_minute(2, 5);
  for (int i = 0; i < 10; ++i) send(config, store, kNoon);
  const Decision next_minute = send(config, store, kNoon + minutes{1});
  EXPECT_TRUE(next_minute.allowed);
  EXPECT_EQ(headers_of(next_minute)["X-RateLimit-Remaining-Hour"], "2");
}

TEST_F(RateLimiterTest, IdentifiersAndScopesCountSeparately) {
  LocalStore store;
  const Config config = per_minute(1);
  EXPECT_TRUE(send(config, store, kNoon, "alice").allowed);
  EXPECT_TRUE(send(config, store, kNoon, "bob").allowed);
  EXPECT_FALSE(send(config, store, kNoon, "alice").allowed);
  scope_.route_id = "route-2";
  EXPECT_TRUE(send(config, store, kNoon, "alice").allowed);
}

// Stands in for the Redis store: answers later, or fails, and counts refused requests.
class ScriptedStore final : public CounterStore {
 public:
  void add(const CountQuery& query, CountCallback done) override {
    ++calls;
    last_delta = query.delta;
    if (fail) return done(CountResult{{}, "connection refused"});
    auto& counts = totals_[std::string(query.subject)];
    counts.resize(query.periods.size());
    for (auto& count : counts) count += query.delta;
    if (deferred) {
      pending = [done = std::move(done), copy = counts] { done(CountResult{copy, std::nullopt}); };
    } else {
      done(CountResult{counts, std::nullopt});
    }
  }
  bool counts_refused_requests() const override { return true; }

  bool fail = false;
  bool deferred = false;
  int calls = 0;
  std::int64_t last_delta = 0;
  std::function<void()> pending;

 private:
  std::map<std::string, std::vector<std::int64_t>> totals_;
};

TEST_F(RateLimiterTest, InlineAndCallbackChecksDecideAlike) {
  LocalStore inline_store;
  LocalStore callback_store;
  const Config config = per_minute(2, 3);
  const RequestFacts facts{request_, std::nullopt, std::nullopt, std::nullopt};
  for (int n = 0; n < 5; ++n) {
    const Seconds now = kNoon + seconds{n * 20};
    const auto inline_decision = check_inline(config, scope_, facts, inline_store, now);
    ASSERT_TRUE(inline_decision.has_value());
    const Decision callback_decision = send_through_callback(config, callback_store, now, facts);
    EXPECT_EQ(inline_decision->allowed, callback_decision.allowed) << n;
    EXPECT_EQ(inline_decision->status, callback_decision.status) << n;
    EXPECT_EQ(headers_of(*inline_decision), headers_of(callback_decision)) << n;
  }
}

TEST_F(RateLimiterTest, InlineCheckLeavesStoresThatAnswerLaterUntouched) {
  ScriptedStore store;
  const RequestFacts facts{request_, std::nullopt, std::nullopt, std::nullopt};
  EXPECT_FALSE(check_inline(per_minute(1), scope_, facts, store, kNoon).has_value());
  EXPECT_EQ(store.calls, 0);
}

TEST_F(RateLimiterTest, StoresThatCountRefusedRequestsAreNotCompensated) {
  ScriptedStore store;
  const Config config = per_minute(1);
  send(config, store, kNoon);
  send(config, store, kNoon);
  EXPECT_EQ(store.calls, 2);
  EXPECT_EQ(store.last_delta, 1);
}

TEST_F(RateLimiterTest, AsynchronousStoreDecidesWhenItAnswers) {
  ScriptedStore store;
  store.deferred = true;
  const Config config = per_minute(5);
  std::optional<Decision> result;
  {
    Request transient{"GET", "/", "", {}, "", "192.0.2.99"};
    check(config, scope_, RequestFacts{transient, {}, {}, {}}, store, kNoon,
          [&](Decision decision) { result = std::move(decision); });
  }
  EXPECT_FALSE(result.has_value());
  store.pending();
  ASSERT_TRUE(result.has_value());
  EXPECT_TRUE(result->allowed);
  EXPECT_EQ(headers_of(*result)["X-RateLimit-Remaining-Minute"], "4");
}

TEST_F(RateLimiterTest, StoreFailureIsLetThroughWhenFaultTolerant) {
  ScriptedStore store;
  store.fail = true;
  const Decision decision = send(per_minute(1), store, kNoon);
  EXPECT_TRUE(decision.allowed);
  EXPECT_TRUE(decision.headers.empty());
}

TEST_F(RateLimiterTest, StoreFailureIs500WhenNotFaultTolerant) {
  ScriptedStore store;
  store.fail = true;
  Config config = per_minute(1);
  config.fault_tolerant = false;
  const Decision decision = send(config, store, kNoon);
  EXPECT_FALSE(decision.allowed);
  EXPECT_EQ(decision.status, 500);
  EXPECT_EQ(decision.body, R"({"message":"An unexpected error occurred"})");
}

TEST_F(RateLimiterTest, ConfiguredPeriodsAreSmallestFirst) {
  Config config;
  config.limits[static_cast<std::size_t>(Period::year)] = 9;
  config.limits[static_cast<std::size_t>(Period::second)] = 1;
  const Periods periods = configured_periods(config);
  EXPECT_EQ(std::vector<Period>(periods.span().begin(), periods.span().end()),
            (std::vector<Period>{Period::second, Period::year}));
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
