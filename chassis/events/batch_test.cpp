#include "chassis/events/batch.hpp"

#include <gtest/gtest.h>

using namespace bazaar::events;

namespace {
Delivered at(int partition, long long offset, std::string key) {
  return {"order.created", partition, offset, std::move(key)};
}
}  // namespace

TEST(ChainsByKey, KeepsEachKeysEventsInDeliveryOrderAndSeparatesKeys) {
  std::vector<Delivered> batch{at(0, 10, "a"), at(1, 4, "b"), at(0, 11, "a"),
                               at(0, 12, "c"), at(1, 5, "b"), at(0, 13, "a")};
  auto chains = chains_by_key(batch);
  ASSERT_EQ(chains.size(), 3u);
  EXPECT_EQ(chains[0], (std::vector<std::size_t>{0, 2, 5}));
  EXPECT_EQ(chains[1], (std::vector<std::size_t>{1, 4}));
  EXPECT_EQ(chains[2], (std::vector<std::size_t>{3}));
}

TEST(ChainsByKey, AnEmptyBatchHasNoChains) { EXPECT_TRUE(chains_by_key({}).empty()); }

TEST(ResumePositions, AFullyHandledPartitionResumesAfterItsLastEvent) {
  std::vector<Delivered> batch{at(0, 10, "a"), at(1, 4, "b"), at(0, 11, "c")};
  auto pos = resume_positions(batch, {true, true, true});
  ASSERT_EQ(pos.size(), 2u);
  EXPECT_EQ(pos[0].partition, 0);
  EXPECT_EQ(pos[0].next_offset, 12);
  EXPECT_EQ(pos[1].partition, 1);
  EXPECT_EQ(pos[1].next_offset, 5);
}

TEST(ResumePositions, StopsAtTheFirstUnhandledEventOfAPartition) {
  std::vector<Delivered> batch{at(0, 10, "a"), at(0, 11, "b"), at(0, 12, "c"), at(1, 7, "d")};
  // 12 was handled but 11 was not: the partition resumes at 11, and 12 comes again.
  auto pos = resume_positions(batch, {true, false, true, false});
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].partition, 0);
  EXPECT_EQ(pos[0].next_offset, 11);
}

TEST(ResumePositions, APartitionWhoseFirstEventFailedIsNotMoved) {
  std::vector<Delivered> batch{at(2, 3, "a"), at(2, 4, "b")};
  EXPECT_TRUE(resume_positions(batch, {false, true}).empty());
}

TEST(ResumePositions, TopicsWithTheSamePartitionNumberAreApart) {
  std::vector<Delivered> batch{{"payment.failed", 0, 5, "a"}, {"payment.succeeded", 0, 9, "b"}};
  auto pos = resume_positions(batch, {true, false});
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].topic, "payment.failed");
  EXPECT_EQ(pos[0].next_offset, 6);
}
