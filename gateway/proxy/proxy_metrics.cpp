#include "gateway/proxy/proxy_metrics.hpp"

#include <unordered_map>

namespace bazaar::gateway::proxy {

namespace {

// The series one service/route pair writes to on every request.
struct RouteSeries {
  telemetry::Histogram* request_ms = nullptr;
  telemetry::Histogram* upstream_ms = nullptr;
  telemetry::Histogram* kong_ms = nullptr;
  std::unordered_map<int, telemetry::Counter*> by_status;
  telemetry::Counter* rate_limited = nullptr;
};

// Registry lookups take its lock; each worker thread remembers the series it has used, found
// with one lookup per request, or none when the route is the one before (the map's entries do
// not move, so the last one can be kept by address).
RouteSeries& series_of(std::string_view service, std::string_view route) {
  thread_local std::unordered_map<std::string, RouteSeries> known;
  thread_local std::string key;
  thread_local std::string last_service, last_route;
  thread_local RouteSeries* last = nullptr;
  if (last != nullptr && service == last_service && route == last_route) return *last;
  key.assign(service).push_back('\0');
  key.append(route);
  last = &known[key];
  last_service.assign(service);
  last_route.assign(route);
  return *last;
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
  RouteSeries& series = series_of(s.service, s.route);
  auto counter = series.by_status.find(s.status);
  if (counter == series.by_status.end()) {
    auto& created =
        registry_.counter("kong_http_requests_total", "HTTP status codes per service/route in Kong",
                          {{"service", std::string(s.service)},
                           {"route", std::string(s.route)},
                           {"code", std::to_string(s.status)}});
    counter = series.by_status.emplace(s.status, &created).first;
  }
  counter->second->inc();

  const auto observe = [&](telemetry::Histogram*& histogram, std::string_view name,
                           std::string_view help, double value) {
    if (histogram == nullptr) {
      histogram = &registry_.histogram(
          name, help, {{"service", std::string(s.service)}, {"route", std::string(s.route)}},
          kong_latency_buckets());
    }
    histogram->observe(value);
  };
  observe(series.request_ms, "kong_request_latency_ms",
          "Total latency incurred during requests for each service/route in Kong", s.request_ms);
  if (s.upstream_ms)
    observe(series.upstream_ms, "kong_upstream_latency_ms",
            "Latency added by upstream response for each service/route in Kong", *s.upstream_ms);
  if (s.kong_ms)
    observe(series.kong_ms, "kong_kong_latency_ms",
            "Latency added by Kong and enabled plugins for each service/route in Kong", *s.kong_ms);
}

void ProxyMetrics::rate_limited(std::string_view service, std::string_view route) {
  RouteSeries& series = series_of(service, route);
  if (series.rate_limited == nullptr) {
    series.rate_limited = &registry_.counter(
        "kong_rate_limiting_rejections_total", "Requests refused by the rate-limiting plugin",
        {{"service", std::string(service)}, {"route", std::string(route)}});
  }
  series.rate_limited->inc();
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
