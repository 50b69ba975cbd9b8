#include "gateway/plugins/rate_limiting/local_store.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <thread>
#include <vector>

namespace bazaar::gateway::rate_limiting {
namespace {

using namespace std::chrono;

const Seconds kNoon = sys_days{year{2024} / 5 / 17} + hours{12};
constexpr std::array<Period, 2> kMinuteHour = {Period::minute, Period::hour};

std::vector<std::int64_t> hit(LocalStore& store, std::string_view subject, Seconds now,
                              std::int64_t delta = 1) {
  return store.add_now(CountQuery{subject, kMinuteHour, now, delta});
}

TEST(LocalStoreTest, CountsEveryPeriodAndReportsTotalsAfterAdding) {
  LocalStore store;
  EXPECT_EQ(hit(store, "a", kNoon), (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(hit(store, "a", kNoon + seconds{5}), (std::vector<std::int64_t>{2, 2}));
  EXPECT_EQ(hit(store, "a", kNoon + seconds{59}), (std::vector<std::int64_t>{3, 3}));
}

TEST(LocalStoreTest, NewWindowStartsFromZeroWhileLongerOnesContinue) {
  LocalStore store;
  hit(store, "a", kNoon);
  hit(store, "a", kNoon + seconds{30});
  EXPECT_EQ(hit(store, "a", kNoon + minutes{1}), (std::vector<std::int64_t>{1, 3}));
}

TEST(LocalStoreTest, SubjectsAreIndependent) {
  LocalStore store;
  hit(store, "a", kNoon);
  EXPECT_EQ(hit(store, "b", kNoon), (std::vector<std::int64_t>{1, 1}));
}

TEST(LocalStoreTest, NegativeDeltaTakesARequestBack) {
  LocalStore store;
  hit(store, "a", kNoon);
  hit(store, "a", kNoon);
  EXPECT_EQ(hit(store, "a", kNoon, -1), (std::vector<std::int64_t>{1, 1}));
}

TEST(LocalStoreTest, AnswersThroughTheCallbackInline) {
  LocalStore store;
  bool called = false;
  store.add(CountQuery{"a", kMinuteHour, kNoon, 1}, [&](CountResult result) {
    called = true;
    EXPECT_FALSE(result.error);
    EXPECT_EQ(result.counts, (std::vector<std::int64_t>{1, 1}));
  });
  EXPECT_TRUE(called);
  EXPECT_FALSE(store.counts_refused_requests());
}

TEST(LocalStoreTest, EndedWindowsAreForgotten) {
  LocalStore store(1);
  const std::array<Period, 1> second = {Period::second};
  for (int i = 0; i < 100; ++i) {
    store.add_now(CountQuery{"s" + std::to_string(i), second, kNoon, 1});
  }
  EXPECT_EQ(store.size(), 100u);
  store.add_now(CountQuery{"late", second, kNoon + seconds{2}, 1});
  EXPECT_EQ(store.size(), 1u);
}

TEST(LocalStoreTest, ConcurrentIncrementsAreExact) {
  LocalStore store(8);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 5000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&store, t] {
      const std::string own = "own-" + std::to_string(t);
      for (int i = 0; i < kPerThread; ++i) {
        store.add_now(CountQuery{"shared", kMinuteHour, kNoon, 1});
        store.add_now(CountQuery{own, kMinuteHour, kNoon, 1});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(hit(store, "shared", kNoon),
            (std::vector<std::int64_t>{kThreads * kPerThread + 1, kThreads * kPerThread + 1}));
  for (int t = 0; t < kThreads; ++t) {
    EXPECT_EQ(hit(store, "own-" + std::to_string(t), kNoon)[0], kPerThread + 1);
  }
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
