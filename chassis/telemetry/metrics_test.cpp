#include "chassis/telemetry/metrics.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace bazaar::telemetry {
namespace {

std::string value_text(double v) {
  std::string out;
  append_value(out, v);
  return out;
}

TEST(Counter, StartsAtZeroAndAccumulates) {
  Counter c;
  EXPECT_EQ(c.value(), 0.0);
  c.inc();
  c.inc(2.5);
  EXPECT_EQ(c.value(), 3.5);
}

TEST(Counter, IgnoresNegativeAndNaNIncrements) {
  Counter c;
  c.inc(2);
  c.inc(-1);
  c.inc(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(c.value(), 2.0);
}

TEST(Gauge, SetIncDec) {
  Gauge g;
  EXPECT_EQ(g.value(), 0.0);
  g.set(10);
  g.inc();
  g.inc(4);
  g.dec(2.5);
  g.dec();
  EXPECT_EQ(g.value(), 11.5);
  g.set(-3);
  EXPECT_EQ(g.value(), -3.0);
}

TEST(Histogram, BucketsAreInclusiveOfTheirUpperBound) {
  Histogram h({1, 2, 5});
  for (double v : {0.5, 1.0, 1.5, 5.0, 10.0}) h.observe(v);
  EXPECT_EQ(h.bucket_counts(), (std::vector<std::uint64_t>{2, 1, 1, 1}));
  EXPECT_EQ(h.count(), 5u);
  EXPECT_EQ(h.sum(), 18.0);
}

TEST(Histogram, NaNAndInfinityLandInInfBucket) {
  Histogram h({1});
  h.observe(std::numeric_limits<double>::infinity());
  h.observe(std::numeric_limits<double>::quiet_NaN());
  h.observe(-std::numeric_limits<double>::infinity());
  EXPECT_EQ(h.bucket_counts(), (std::vector<std::uint64_t>{1, 2}));
}

TEST(Histogram, TrailingInfBoundIsImplicit) {
  Histogram h({1, 2, std::numeric_limits<double>::infinity()});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2}));
  EXPECT_EQ(h.bucket_counts().size(), 3u);
}

TEST(Histogram, RejectsUnsortedOrNaNBounds) {
  EXPECT_THROW(Histogram({2, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, 1}), std::invalid_argument);
  EXPECT_THROW(Histogram({1, std::numeric_limits<double>::quiet_NaN()}), std::invalid_argument);
}

TEST(Registry, SameNameAndLabelsGiveSameObject) {
  Registry r;
  Counter& a = r.counter("requests_total", "Requests.", {{"method", "GET"}});
  Counter& b = r.counter("requests_total", "Requests.", {{"method", "GET"}});
  Counter& other = r.counter("requests_total", "Requests.", {{"method", "POST"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &other);

  Gauge& g1 = r.gauge("in_flight", "In flight.");
  Gauge& g2 = r.gauge("in_flight", "In flight.");
  EXPECT_EQ(&g1, &g2);

  Histogram& h1 = r.histogram("latency_seconds", "Latency.", {}, latency_buckets());
  Histogram& h2 = r.histogram("latency_seconds", "Latency.", {}, latency_buckets());
  EXPECT_EQ(&h1, &h2);
}

TEST(Registry, LabelOrderDoesNotMakeANewSeries) {
  Registry r;
  Counter& a = r.counter("c_total", "C.", {{"a", "1"}, {"b", "2"}});
  Counter& b = r.counter("c_total", "C.", {{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(&a, &b);
  b.inc();
  // The first registration's order is the one rendered.
  EXPECT_NE(r.render().find("c_total{a=\"1\",b=\"2\"} 1\n"), std::string::npos);
}

TEST(Registry, LabelValuesCannotCollideThroughSeparators) {
  Registry r;
  Counter& a = r.counter("c_total", "C.", {{"a", "x"}, {"b", "y"}});
  Counter& b = r.counter("c_total", "C.", {{"a", std::string("x\0\0\0\1b\0\0\0\1y", 11)}});
  EXPECT_NE(&a, &b);
}

TEST(Registry, TypeConflictThrows) {
  Registry r;
  r.counter("thing", "A thing.");
  EXPECT_THROW(r.gauge("thing", "A thing."), std::logic_error);
  EXPECT_THROW(r.histogram("thing", "A thing.", {}, {1}), std::logic_error);
  // Also for a label set that does not exist yet.
  EXPECT_THROW(r.gauge("thing", "A thing.", {{"k", "v"}}), std::logic_error);
}

TEST(Registry, HelpOrBoundsConflictThrows) {
  Registry r;
  r.counter("thing_total", "A thing.");
  EXPECT_THROW(r.counter("thing_total", "Another thing."), std::logic_error);
  r.histogram("h_seconds", "H.", {}, {1, 2});
  EXPECT_NO_THROW(
      r.histogram("h_seconds", "H.", {}, {1, 2, std::numeric_limits<double>::infinity()}));
  EXPECT_THROW(r.histogram("h_seconds", "H.", {}, {1, 3}), std::logic_error);
  EXPECT_THROW(r.histogram("h_seconds", "H.", {{"k", "v"}}, {1}), std::logic_error);
}

TEST(Registry, InvalidNamesThrow) {
  Registry r;
  EXPECT_THROW(r.counter("", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("1abc", "x"), std::invalid_argument);
  EXPECT_THROW(r.counter("a-b", "x"), std::invalid_argument);
  EXPECT_NO_THROW(r.counter("ns:a_b", "x"));
  EXPECT_THROW(r.counter("ok", "x", {{"bad-name", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "x", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(r.counter("ok", "x", {{"k", "1"}, {"k", "2"}}), std::invalid_argument);
  EXPECT_THROW(r.histogram("h", "x", {{"le", "1"}}, {1}), std::invalid_argument);
  // Failed registrations leave nothing behind.
  EXPECT_EQ(r.render(), "# HELP ns:a_b x\n# TYPE ns:a_b counter\nns:a_b 0\n");
}

TEST(Registry, RendersExactText) {
  Registry r;
  r.counter("http_requests_total", "Requests served.", {{"method", "GET"}}).inc(3);
  r.gauge("queue_depth", "Jobs waiting.").set(2.5);
  // Registered after queue_depth, but rendered with the rest of its family.
  r.counter("http_requests_total", "Requests served.", {{"method", "POST"}}).inc();
  Histogram& h = r.histogram("latency_seconds", "Handler latency.",
                             {{"route", "/users"}, {"code", "200"}}, {0.25, 1});
  for (double v : {0.125, 0.5, 0.5, 2.0}) h.observe(v);

  EXPECT_EQ(r.render(),
            "# HELP http_requests_total Requests served.\n"
            "# TYPE http_requests_total counter\n"
            "http_requests_total{method=\"GET\"} 3\n"
            "http_requests_total{method=\"POST\"} 1\n"
            "# HELP queue_depth Jobs waiting.\n"
            "# TYPE queue_depth gauge\n"
            "queue_depth 2.5\n"
            "# HELP latency_seconds Handler latency.\n"
            "# TYPE latency_seconds histogram\n"
            "latency_seconds_bucket{route=\"/users\",code=\"200\",le=\"0.25\"} 1\n"
            "latency_seconds_bucket{route=\"/users\",code=\"200\",le=\"1\"} 3\n"
            "latency_seconds_bucket{route=\"/users\",code=\"200\",le=\"+Inf\"} 4\n"
            "latency_seconds_sum{route=\"/users\",code=\"200\"} 3.125\n"
            "latency_seconds_count{route=\"/users\",code=\"200\"} 4\n");
}

TEST(Registry, EmptyRegistryRendersNothing) { EXPECT_EQ(Registry().render(), ""); }

TEST(Registry, EscapesLabelValuesAndHelp) {
  Registry r;
  r.gauge("g", "Back\\slash and\nnewline, \"quotes\" kept.", {{"path", "a\\b\"c\nd"}}).set(1);
  EXPECT_EQ(r.render(),
            "# HELP g Back\\\\slash and\\nnewline, \"quotes\" kept.\n"
            "# TYPE g gauge\n"
            "g{path=\"a\\\\b\\\"c\\nd\"} 1\n");
}

TEST(Registry, HistogramBucketsAreCumulativeInRender) {
  Registry r;
  Histogram& h = r.histogram("h", "H.", {}, latency_buckets());
  h.observe(0.00005);  // first bucket
  h.observe(0.003);    // le=0.005
  h.observe(0.003);
  h.observe(7);    // le=10
  h.observe(100);  // +Inf only
  const std::string text = r.render();
  EXPECT_NE(text.find("h_bucket{le=\"0.0001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"0.0025\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"0.005\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"5\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"10\"} 4\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_bucket{le=\"+Inf\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("h_count 5\n"), std::string::npos) << text;
  EXPECT_EQ(h.bucket_counts().size(), latency_buckets().size() + 1);
}

TEST(Registry, CollectorsAppendAfterFamilies) {
  Registry r;
  int calls = 0;
  r.add_collector([&](std::string& out) {
    ++calls;
    append_header(out, "pool_idle", "Idle connections.", MetricType::gauge);
    append_sample(out, "pool_idle", {{"pool", "users"}}, 4);
  });
  r.counter("c_total", "C.").inc();
  const std::string expected =
      "# HELP c_total C.\n# TYPE c_total counter\nc_total 1\n"
      "# HELP pool_idle Idle connections.\n# TYPE pool_idle gauge\npool_idle{pool=\"users\"} 4\n";
  EXPECT_EQ(r.render(), expected);
  EXPECT_EQ(r.render(), expected);
  EXPECT_EQ(calls, 2);
}

TEST(Registry, CollectorMayUseTheRegistry) {
  Registry r;
  r.add_collector([&r](std::string&) { r.counter("scrapes_total", "Scrapes.").inc(); });
  r.render();
  EXPECT_NE(r.render().find("scrapes_total 1\n"), std::string::npos);
}

TEST(Registry, ConcurrentObserveCountsEverything) {
  constexpr int kThreads = 4;
  constexpr int kPerThread = 100000;
  Registry r;
  std::atomic<bool> done{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&r] {
      // Lookups race with each other and with render(); all must find the same series.
      Histogram& h = r.histogram("work_seconds", "Work.", {{"kind", "x"}}, latency_buckets());
      Counter& c = r.counter("work_total", "Work.");
      for (int i = 0; i < kPerThread; ++i) {
        h.observe(0.5);
        c.inc();
      }
    });
  }
  std::thread scraper([&] {
    while (!done.load()) (void)r.render();
  });
  for (auto& t : threads) t.join();
  done = true;
  scraper.join();

  Histogram& h = r.histogram("work_seconds", "Work.", {{"kind", "x"}}, latency_buckets());
  EXPECT_EQ(h.count(), 400000u);
  EXPECT_EQ(h.sum(), 200000.0);
  EXPECT_EQ(r.counter("work_total", "Work.").value(), 400000.0);
  const std::string text = r.render();
  EXPECT_NE(text.find("work_seconds_bucket{kind=\"x\",le=\"0.25\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("work_seconds_bucket{kind=\"x\",le=\"0.5\"} 400000\n"), std::string::npos);
  EXPECT_NE(text.find("work_seconds_count{kind=\"x\"} 400000\n"), std::string::npos);
  EXPECT_NE(text.find("work_total 400000\n"), std::string::npos);
}

TEST(Format, Numbers) {
  EXPECT_EQ(value_text(0), "0");
  EXPECT_EQ(value_text(3), "3");
  EXPECT_EQ(value_text(-3), "-3");
  EXPECT_EQ(value_text(1000000), "1000000");
  EXPECT_EQ(value_text(400000), "400000");
  EXPECT_EQ(value_text(9007199254740993.0), "9007199254740992");
  EXPECT_EQ(value_text(2.5), "2.5");
  EXPECT_EQ(value_text(0.1), "0.1");
  EXPECT_EQ(value_text(0.0001), "0.0001");
  EXPECT_EQ(value_text(0.00025), "0.00025");
  EXPECT_EQ(value_text(0.00001), "1e-05");
  EXPECT_EQ(value_text(1e21), "1e+21");
  EXPECT_EQ(value_text(1732180000.53), "1732180000.53");
  EXPECT_EQ(value_text(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(value_text(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(value_text(std::numeric_limits<double>::quiet_NaN()), "NaN");
}

TEST(Format, LatencyBucketsAndContentType) {
  const std::vector<double> expected{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
  EXPECT_EQ(latency_buckets(), expected);
  EXPECT_EQ(kContentType, "text/plain; version=0.0.4; charset=utf-8");
}

TEST(DefaultRegistry, IsOneInstance) {
  EXPECT_EQ(&default_registry(), &default_registry());
  Counter& c = default_registry().counter("default_registry_test_total", "Test.");
  EXPECT_EQ(&c, &default_registry().counter("default_registry_test_total", "Test."));
}

}  // namespace
}  // namespace bazaar::telemetry
