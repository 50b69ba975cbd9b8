#pragma once
// Counters, gauges and histograms rendered in the Prometheus text exposition format 0.0.4.
// Updates to a metric are lock-free so request handlers can record on the hot path; the
// registry's mutex is only taken to look a series up (callers cache the returned reference)
// and to render a scrape. See docs/decisions/0002-metrics-exposition.md.
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bazaar::telemetry {

// Rendered in the order given at the series' first registration. Lookups ignore the order,
// so {a,b} and {b,a} name the same series rather than producing a duplicate in the output.
using Labels = std::vector<std::pair<std::string, std::string>>;

inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

enum class MetricType { counter, gauge, histogram };

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Negative and NaN increments are dropped: Prometheus reads any decrease as a process
  // restart, which would corrupt rate() far worse than a lost sample.
  void inc(double v = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void set(double v);
  void inc(double v = 1.0);
  void dec(double v = 1.0);
  double value() const;

 private:
  std::atomic<double> value_{0.0};
};

class Histogram {
 public:
  // `upper_bounds` must be strictly increasing and not NaN; a trailing +Inf is accepted and
  // dropped because the +Inf bucket always exists. Throws std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> upper_bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // A value equal to a bound lands in that bound's bucket (Prometheus `le` is inclusive);
  // NaN lands in +Inf.
  void observe(double v);

  // Finite bounds only, without the implicit +Inf.
  const std::vector<double>& upper_bounds() const { return bounds_; }
  // Per-bucket, not cumulative: upper_bounds().size() + 1 entries, the last one for +Inf.
  std::vector<std::uint64_t> bucket_counts() const;
  // The sum of the buckets rather than a separate counter, so a render taken during
  // concurrent observe() calls still has _count equal to the +Inf bucket.
  std::uint64_t count() const;
  double sum() const;

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> buckets_;
  std::atomic<double> sum_{0.0};
};

class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Return the same object for the same (name, labels) every time; objects live as long as
  // the registry, so callers may cache the reference. Thread-safe.
  // A name whose type, help or histogram bounds differ from its first registration throws
  // std::logic_error (two call sites disagreeing is a programming error, and the output can
  // only carry one HELP/TYPE per family). Names that are not valid Prometheus metric or
  // label names, a repeated label name, a label starting with "__", and "le" on a histogram
  // throw std::invalid_argument.
  Counter& counter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const Labels& labels = {});
  // +Inf is added automatically.
  Histogram& histogram(std::string_view name, std::string_view help, const Labels& labels,
                       const std::vector<double>& upper_bounds);

  // Called on every render(), after the registered families and in the order added, for
  // values read on demand (pool sizes, process stats). The callback appends complete
  // exposition text (HELP/TYPE lines included) to `out`; append_header/append_sample keep it
  // consistent with ours. It runs without the registry lock held, so it may look up metrics,
  // but it must stay callable for the registry's whole lifetime: there is no removal.
  void add_collector(std::function<void(std::string& out)> collect);

  // Prometheus text format 0.0.4: one HELP and TYPE per family, families and series in
  // order of first registration.
  std::string render() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Process-wide registry served on /metrics. Never destroyed, so threads still recording
// during static destruction at exit do not touch a dead object.
Registry& default_registry();

// Seconds; fine at the low end because our handlers take microseconds.
// 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5,
// 5, 10
const std::vector<double>& latency_buckets();

// Building blocks for collectors, so hand-written text follows the same rules as render().

// Integers below 1e21 print without exponent or decimals ("3", "1000000"); other values use
// the shortest text that reads back to the same double, in exponent form only below 1e-4
// ("0.00025", "1e-05"); infinities and NaN print as +Inf, -Inf, NaN.
void append_value(std::string& out, double v);
// "# HELP name help\n# TYPE name type\n", with backslash and newline in `help` escaped.
void append_header(std::string& out, std::string_view name, std::string_view help, MetricType type);
// "name{k="v",...} value\n", with backslash, double quote and newline in values escaped.
void append_sample(std::string& out, std::string_view name, const Labels& labels, double value);

}  // namespace bazaar::telemetry
