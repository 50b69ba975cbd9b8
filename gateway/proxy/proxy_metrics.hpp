#pragma once
// The proxy's Prometheus series, named as Kong's prometheus plugin names them so existing
// Kong dashboards work:
//   kong_http_requests_total{service,route,code}           counter
//   kong_request_latency_ms{service,route}                 histogram (whole request)
//   kong_upstream_latency_ms{service,route}                histogram (to the response head)
//   kong_kong_latency_ms{service,route}                    histogram (gateway's own time)
//   kong_upstream_target_health{upstream,target,state}     gauge, 1 for the current state
//   kong_rate_limiting_rejections_total{service,route}     counter (ours; Kong has none)
#include <optional>
#include <string>
#include <string_view>

#include "chassis/telemetry/metrics.hpp"
#include "gateway/proxy/snapshot.hpp"

namespace bazaar::gateway::proxy {

class ProxyMetrics {
 public:
  explicit ProxyMetrics(telemetry::Registry& registry);

  struct Sample {
    std::string_view service;  // "" when no route matched
    std::string_view route;
    int status = 0;
    double request_ms = 0;
    std::optional<double> upstream_ms;  // unset when no upstream answered
    std::optional<double> kong_ms;
  };
  void record(const Sample& sample);
  void rate_limited(std::string_view service, std::string_view route);

  // Renders kong_upstream_target_health from whatever snapshot is current at scrape time.
  void watch_target_health(const SnapshotHolder& snapshots);

 private:
  telemetry::Registry& registry_;
};

// Kong prometheus plugin's default latency buckets, in milliseconds.
const std::vector<double>& kong_latency_buckets();

}  // namespace bazaar::gateway::proxy
