#include "gateway/proxy/proxy_metrics.hpp"

#include <unordered_map>

namespace bazaar::gateway::proxy {

namespace {

struct SeriesCache {
  std::unordered_map<std::string, telemetry::Counter*> counters;
  std::unordered_map<std::string, telemetry::Histogram*> histograms;
};

// Registry lookups take its lock; each worker thread remembers the series it has used.
SeriesCache& cache() {
  thread_local SeriesCache c;
  return c;
}

std::string key_of(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string key;
  key.reserve(a.size() + b.size() + c.size() + 2);
  key.append(a).push_back('\0');
  key.append(b).push_back('\0');
  key.append(c);
  return key;
}

}  // namespace

const std::vector<double>& kong_latency_buckets() {
  static const std::vector<double> buckets = {1,    2,    5,    7,     10,    15,   20,
                                              30,   50,   75,   100,   200,   500,  750,
                                              1000, 2000, 5000, 10000, 30000, 60000};
  return buckets;
}

ProxyMetrics::ProxyMetrics(telemetry::Registry& registry) : registry_(registry) {}

void ProxyMetrics::record(const Sample& s) {
  auto& c = cache();
  const std::string code = std::to_string(s.status);
  const std::string counter_key = key_of(s.service, s.route, code);
  auto it = c.counters.find(counter_key);
  if (it == c.counters.end()) {
    auto& counter = registry_.counter(
        "kong_http_requests_total", "HTTP status codes per service/route in Kong",
        {{"service", std::string(s.service)}, {"route", std::string(s.route)}, {"code", code}});
    it = c.counters.emplace(counter_key, &counter).first;
  }
  it->second->inc();

  const auto observe = [&](std::string_view name, std::string_view help, double value) {
    const std::string key = key_of(name, s.service, s.route);
    auto h = c.histograms.find(key);
    if (h == c.histograms.end()) {
      auto& histogram = registry_.histogram(
          name, help, {{"service", std::string(s.service)}, {"route", std::string(s.route)}},
          kong_latency_buckets());
      h = c.histograms.emplace(key, &histogram).first;
    }
    h->second->observe(value);
  };
  observe("kong_request_latency_ms",
          "Total latency incurred during requests for each service/route in Kong", s.request_ms);
  if (s.upstream_ms)
    observe("kong_upstream_latency_ms",
            "Latency added by upstream response for each service/route in Kong", *s.upstream_ms);
  if (s.kong_ms)
    observe("kong_kong_latency_ms",
            "Latency added by Kong and enabled plugins for each service/route in Kong", *s.kong_ms);
}

void ProxyMetrics::rate_limited(std::string_view service, std::string_view route) {
  auto& c = cache();
  const std::string key = key_of("rl", service, route);
  auto it = c.counters.find(key);
  if (it == c.counters.end()) {
    auto& counter = registry_.counter(
        "kong_rate_limiting_rejections_total", "Requests refused by the rate-limiting plugin",
        {{"service", std::string(service)}, {"route", std::string(route)}});
    it = c.counters.emplace(key, &counter).first;
  }
  it->second->inc();
}

void ProxyMetrics::watch_target_health(const SnapshotHolder& snapshots) {
  const SnapshotHolder* holder = &snapshots;
  registry_.add_collector([holder](std::string& out) {
    const auto snapshot = holder->current();
    if (!snapshot || snapshot->balancers.empty()) return;
    static constexpr const char* kName = "kong_upstream_target_health";
    telemetry::append_header(out, kName,
                             "Health status of targets of upstream. States = healthchecks_off|"
                             "healthy|unhealthy. Value is 1 when state is populated.",
                             telemetry::MetricType::gauge);
    static constexpr std::pair<TargetHealth, const char*> kStates[] = {
        {TargetHealth::healthchecks_off, "healthchecks_off"},
        {TargetHealth::healthy, "healthy"},
        {TargetHealth::unhealthy, "unhealthy"}};
    for (const auto& balancer : snapshot->balancers) {
      for (std::size_t t = 0; t < balancer->size(); ++t) {
        const TargetHealth health = balancer->health(t);
        for (const auto& [state, label] : kStates) {
          telemetry::append_sample(out, kName,
                                   {{"upstream", balancer->upstream_name()},
                                    {"target", balancer->target_name(t)},
                                    {"state", label}},
                                   health == state ? 1.0 : 0.0);
        }
      }
    }
  });
}

}  // namespace bazaar::gateway::proxy
