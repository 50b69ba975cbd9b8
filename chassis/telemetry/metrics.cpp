#include "chassis/telemetry/metrics.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <stdexcept>
#include <system_error>
#include <unordered_map>
#include <variant>

namespace bazaar::telemetry {

// The hot path must never fall back to a hidden lock inside std::atomic.
static_assert(std::atomic<double>::is_always_lock_free);
static_assert(std::atomic<std::uint64_t>::is_always_lock_free);

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "untyped";
}

bool is_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool valid_metric_name(std::string_view name) {
  if (name.empty() || is_digit(name[0])) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_letter(c) || is_digit(c) || c == '_' || c == ':'; });
}

// [a-zA-Z_][a-zA-Z0-9_]*; "__" is reserved for Prometheus' own labels.
bool valid_label_name(std::string_view name) {
  if (name.empty() || is_digit(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return is_letter(c) || is_digit(c) || c == '_'; });
}

std::vector<double> normalize_bounds(std::vector<double> bounds) {
  if (!bounds.empty() && bounds.back() == std::numeric_limits<double>::infinity()) {
    bounds.pop_back();
  }
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (std::isnan(bounds[i]) || std::isinf(bounds[i])) {
      throw std::invalid_argument("histogram bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("histogram bounds must be strictly increasing");
    }
  }
  return bounds;
}

// Accepts the bounds as a caller passes them, trailing +Inf or not, without copying them:
// this runs on every lookup of an existing histogram.
bool same_bounds(const std::vector<double>& normalized, const std::vector<double>& given) {
  std::size_t n = given.size();
  if (n == normalized.size() + 1 && given.back() == std::numeric_limits<double>::infinity()) --n;
  return n == normalized.size() && std::equal(normalized.begin(), normalized.end(), given.begin());
}

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void append_escaped_label_value(std::string& out, std::string_view value) {
  for (char c : value) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\n':
        out += "\\n";
        break;
      default:
        out += c;
    }
  }
}

// Renders `name suffix {labels, le="..."}` up to and including the space before the value.
void append_series_start(std::string& out, std::string_view name, std::string_view suffix,
                         const Labels& labels, std::string_view le = {}) {
  out += name;
  out += suffix;
  if (!labels.empty() || !le.empty()) {
    out += '{';
    bool first = true;
    for (const auto& [k, v] : labels) {
      if (!first) out += ',';
      first = false;
      out += k;
      out += "=\"";
      append_escaped_label_value(out, v);
      out += '"';
    }
    if (!le.empty()) {
      if (!first) out += ',';
      out += "le=\"";
      out += le;
      out += '"';
    }
    out += '}';
  }
  out += ' ';
}

void append_part(std::string& key, std::string_view part) {
  // Length prefixes rather than separators: label values may contain any byte, and two
  // different (name, labels) must never produce the same key.
  const auto n = static_cast<std::uint32_t>(part.size());
  char len[sizeof n];
  std::memcpy(len, &n, sizeof n);
  key.append(len, sizeof n);
  key.append(part);
}

std::string series_key(std::string_view name, const Labels& labels) {
  std::string key;
  append_part(key, name);
  const auto by_name = [](const auto* a, const auto* b) { return *a < *b; };
  std::vector<const Labels::value_type*> sorted;
  sorted.reserve(labels.size());
  for (const auto& label : labels) sorted.push_back(&label);
  if (!std::is_sorted(sorted.begin(), sorted.end(), by_name)) {
    std::sort(sorted.begin(), sorted.end(), by_name);
  }
  for (const auto* label : sorted) {
    append_part(key, label->first);
    append_part(key, label->second);
  }
  return key;
}

}  // namespace

// --- Counter, Gauge, Histogram -------------------------------------------------------------

void Counter::inc(double v) {
  if (!(v >= 0.0)) return;
  value_.fetch_add(v, kRelaxed);
}
double Counter::value() const { return value_.load(kRelaxed); }

void Gauge::set(double v) { value_.store(v, kRelaxed); }
void Gauge::inc(double v) { value_.fetch_add(v, kRelaxed); }
void Gauge::dec(double v) { value_.fetch_sub(v, kRelaxed); }
double Gauge::value() const { return value_.load(kRelaxed); }

Histogram::Histogram(std::vector<double> upper_bounds)
    : bounds_(normalize_bounds(std::move(upper_bounds))),
      buckets_(std::make_unique<std::atomic<std::uint64_t>[]>(bounds_.size() + 1)) {}

void Histogram::observe(double v) {
  const std::size_t i =
      std::isnan(v) ? bounds_.size()
                    : static_cast<std::size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), v) -
                                               bounds_.begin());
  buckets_[i].fetch_add(1, kRelaxed);
  sum_.fetch_add(v, kRelaxed);
}

std::vector<std::uint64_t> Histogram::bucket_counts() const {
  std::vector<std::uint64_t> counts(bounds_.size() + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = buckets_[i].load(kRelaxed);
  return counts;
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) total += buckets_[i].load(kRelaxed);
  return total;
}

double Histogram::sum() const { return sum_.load(kRelaxed); }

// --- Registry ------------------------------------------------------------------------------

namespace {

struct Series {
  template <class T, class... Args>
  Series(Labels l, std::in_place_type_t<T> type, Args&&... args)
      : labels(std::move(l)), metric(type, std::forward<Args>(args)...) {}

  Labels labels;
  std::variant<Counter, Gauge, Histogram> metric;
};

struct Family {
  std::string name;
  std::string help;
  MetricType type;
  std::vector<double> bounds;
  std::vector<std::unique_ptr<Series>> series;
};

struct Entry {
  const Family* family;
  Series* series;
};

void check_agrees(const Family& family, std::string_view help, MetricType type,
                  const std::vector<double>* bounds) {
  if (family.type != type) {
    throw std::logic_error("metric " + family.name + " is a " +
                           std::string(type_name(family.type)) + ", requested as a " +
                           std::string(type_name(type)));
  }
  if (family.help != help) {
    throw std::logic_error("metric " + family.name + " registered with a different help text");
  }
  if (bounds != nullptr && !same_bounds(family.bounds, *bounds)) {
    throw std::logic_error("histogram " + family.name + " registered with different bounds");
  }
}

void validate_labels(std::string_view metric, MetricType type, const Labels& labels) {
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& name = labels[i].first;
    if (!valid_label_name(name)) {
      throw std::invalid_argument("metric " + std::string(metric) + ": invalid label name '" +
                                  name + "'");
    }
    if (type == MetricType::histogram && name == "le") {
      throw std::invalid_argument("histogram " + std::string(metric) + ": label 'le' is reserved");
    }
    for (std::size_t j = 0; j < i; ++j) {
      if (labels[j].first == name) {
        throw std::invalid_argument("metric " + std::string(metric) + ": label '" + name +
                                    "' given twice");
      }
    }
  }
}

}  // namespace

struct Registry::Impl {
  // Shared for lookups of existing series and for render(), exclusive only to create one.
  mutable std::shared_mutex mu;
  std::vector<std::unique_ptr<Family>> families;
  std::unordered_map<std::string, Family*> by_name;
  std::unordered_map<std::string, Entry> by_key;
  std::vector<std::function<void(std::string&)>> collectors;

  template <class T>
  T& get(std::string_view name, std::string_view help, MetricType type, const Labels& labels,
         const std::vector<double>* bounds) {
    std::string key = series_key(name, labels);
    {
      std::shared_lock lock(mu);
      if (auto it = by_key.find(key); it != by_key.end()) {
        check_agrees(*it->second.family, help, type, bounds);
        return std::get<T>(it->second.series->metric);
      }
    }

    std::unique_lock lock(mu);
    if (auto it = by_key.find(key); it != by_key.end()) {
      check_agrees(*it->second.family, help, type, bounds);
      return std::get<T>(it->second.series->metric);
    }

    Family* family = nullptr;
    if (auto it = by_name.find(std::string(name)); it != by_name.end()) {
      family = it->second;
      check_agrees(*family, help, type, bounds);
      validate_labels(name, type, labels);
    } else {
      if (!valid_metric_name(name)) {
        throw std::invalid_argument("invalid metric name '" + std::string(name) + "'");
      }
      validate_labels(name, type, labels);
      auto created = std::make_unique<Family>();
      created->name = name;
      created->help = help;
      created->type = type;
      if (bounds != nullptr) created->bounds = normalize_bounds(*bounds);
      family = created.get();
      families.push_back(std::move(created));
      by_name.emplace(family->name, family);
    }

    std::unique_ptr<Series> series;
    if constexpr (std::is_same_v<T, Histogram>) {
      series = std::make_unique<Series>(labels, std::in_place_type<Histogram>, family->bounds);
    } else {
      series = std::make_unique<Series>(labels, std::in_place_type<T>);
    }
    Series* raw = series.get();
    family->series.push_back(std::move(series));
    by_key.emplace(std::move(key), Entry{family, raw});
    return std::get<T>(raw->metric);
  }
};

Registry::Registry() : impl_(std::make_unique<Impl>()) {}
Registry::~Registry() = default;

Counter& Registry::counter(std::string_view name, std::string_view help, const Labels& labels) {
  return impl_->get<Counter>(name, help, MetricType::counter, labels, nullptr);
}

Gauge& Registry::gauge(std::string_view name, std::string_view help, const Labels& labels) {
  return impl_->get<Gauge>(name, help, MetricType::gauge, labels, nullptr);
}

Histogram& Registry::histogram(std::string_view name, std::string_view help, const Labels& labels,
                               const std::vector<double>& upper_bounds) {
  return impl_->get<Histogram>(name, help, MetricType::histogram, labels, &upper_bounds);
}

void Registry::add_collector(std::function<void(std::string& out)> collect) {
  std::unique_lock lock(impl_->mu);
  impl_->collectors.push_back(std::move(collect));
}

std::string Registry::render() const {
  std::string out;
  std::vector<std::function<void(std::string&)>> collectors;
  {
    std::shared_lock lock(impl_->mu);
    for (const auto& family : impl_->families) {
      append_header(out, family->name, family->help, family->type);
      for (const auto& series : family->series) {
        if (const auto* c = std::get_if<Counter>(&series->metric)) {
          append_sample(out, family->name, series->labels, c->value());
        } else if (const auto* g = std::get_if<Gauge>(&series->metric)) {
          append_sample(out, family->name, series->labels, g->value());
        } else {
          const auto& h = std::get<Histogram>(series->metric);
          const std::vector<std::uint64_t> counts = h.bucket_counts();
          const double sum = h.sum();
          std::uint64_t cumulative = 0;
          std::string le;
          for (std::size_t i = 0; i < family->bounds.size(); ++i) {
            cumulative += counts[i];
            le.clear();
            append_value(le, family->bounds[i]);
            append_series_start(out, family->name, "_bucket", series->labels, le);
            append_uint(out, cumulative);
            out += '\n';
          }
          cumulative += counts.back();
          append_series_start(out, family->name, "_bucket", series->labels, "+Inf");
          append_uint(out, cumulative);
          out += '\n';
          append_series_start(out, family->name, "_sum", series->labels);
          append_value(out, sum);
          out += '\n';
          append_series_start(out, family->name, "_count", series->labels);
          append_uint(out, cumulative);
          out += '\n';
        }
      }
    }
    collectors = impl_->collectors;
  }
  // Outside the lock: a collector may itself look metrics up, and a slow /proc read must not
  // hold up the creation of new series.
  for (const auto& collect : collectors) collect(out);
  return out;
}

Registry& default_registry() {
  static Registry* const registry = new Registry();
  return *registry;
}

const std::vector<double>& latency_buckets() {
  static const std::vector<double> buckets{0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005,
                                           0.01,   0.025,   0.05,   0.1,   0.25,   0.5,
                                           1,      2.5,     5,      10};
  return buckets;
}

// --- Text helpers --------------------------------------------------------------------------

void append_value(std::string& out, double v) {
  if (std::isnan(v)) {
    out += "NaN";
    return;
  }
  if (std::isinf(v)) {
    out += v > 0 ? "+Inf" : "-Inf";
    return;
  }
  // Exponent form below 1e-4 is where Go's client switches too, so our sub-second `le`
  // values are spelled as in Go exporters and dashboard matchers carry over. Above, we stay
  // in fixed notation up to 1e21 (Go switches at 1e6) so that counts print as integers.
  const double magnitude = std::fabs(v);
  const auto format = (magnitude != 0.0 && magnitude < 1e-4) || magnitude >= 1e21
                          ? std::chars_format::scientific
                          : std::chars_format::fixed;
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v, format);
  out.append(buf, res.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view help,
                   MetricType type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  for (char c : help) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type_name(type);
  out += '\n';
}

void append_sample(std::string& out, std::string_view name, const Labels& labels, double value) {
  append_series_start(out, name, {}, labels);
  append_value(out, value);
  out += '\n';
}

}  // namespace bazaar::telemetry
