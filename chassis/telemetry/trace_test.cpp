#include "chassis/telemetry/trace.hpp"

#include <gtest/gtest.h>

using bazaar::telemetry::TraceContext;

TEST(TraceContext, ParsesAValidHeader) {
  auto ctx = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  ASSERT_TRUE(ctx);
  EXPECT_EQ(ctx->trace_id, "4bf92f3577b34da6a3ce929d0e0e4736");
  EXPECT_EQ(ctx->span_id, "00f067aa0ba902b7");
  EXPECT_TRUE(ctx->sampled);
}

TEST(TraceContext, RejectsWhatTheSpecSaysToIgnore) {
  for (const char* bad : {
           "", "garbage",
           "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",    // upper case
           "00-00000000000000000000000000000000-00f067aa0ba902b7-01",    // zero trace
           "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",    // zero span
           "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version ff
           "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x",  // v00 with extra
           "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",     // short trace
       }) {
    EXPECT_FALSE(TraceContext::parse(bad)) << bad;
  }
}

TEST(TraceContext, AcceptsFutureVersionsWithExtraFields) {
  EXPECT_TRUE(TraceContext::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00-zz"));
}

TEST(TraceContext, ChildKeepsTheTraceAndMakesANewSpan) {
  auto parent = TraceContext::parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
  auto child = TraceContext::child_of(parent);
  EXPECT_EQ(child.trace_id, parent->trace_id);
  EXPECT_EQ(child.parent_span_id, parent->span_id);
  EXPECT_NE(child.span_id, parent->span_id);
  EXPECT_FALSE(child.sampled);
  EXPECT_EQ(child.traceparent(), "00-" + child.trace_id + "-" + child.span_id + "-00");
  ASSERT_TRUE(TraceContext::parse(child.traceparent()));
}

TEST(TraceContext, RootStartsANewTrace) {
  auto a = TraceContext::child_of(std::nullopt), b = TraceContext::child_of(std::nullopt);
  EXPECT_EQ(a.trace_id.size(), 32u);
  EXPECT_EQ(a.span_id.size(), 16u);
  EXPECT_NE(a.trace_id, b.trace_id);
  EXPECT_TRUE(a.parent_span_id.empty());
}
