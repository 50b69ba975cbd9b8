#pragma once
// An upstream's ring-balancer: weighted round-robin over its targets, skipping those the
// passive health checker marked unhealthy (Kong's healthchecks.passive, lua-resty-healthcheck
// semantics: consecutive counters, a threshold of 0 disables that counter, an unhealthy
// target comes back only after healthy.successes good answers). Shared by every worker.
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/declarative.hpp"

namespace bazaar::gateway::proxy {

enum class TargetHealth { healthy, unhealthy, healthchecks_off };

class Balancer {
 public:
  explicit Balancer(const config::Upstream& upstream);

  struct Pick {
    std::size_t target = 0;  // index into the upstream's targets
    std::string host;
    std::uint16_t port = 0;
  };
  // The next target by weight, skipping unhealthy ones and those of weight 0; nullopt when
  // none is left (Kong: 503 "failure to get a peer from the ring-balancer").
  std::optional<Pick> next();

  // What an attempt against a target showed.
  void report_tcp_failure(std::size_t target);
  void report_timeout(std::size_t target);
  void report_http_status(std::size_t target, int status);

  TargetHealth health(std::size_t target) const;
  std::size_t size() const { return targets_.size(); }
  const std::string& upstream_name() const { return name_; }
  const std::string& target_name(std::size_t target) const { return targets_[target].name; }

 private:
  struct TargetState {
    std::string name;  // "host:port"
    std::string host;
    std::uint16_t port = 0;
    int weight = 0;
    int current_weight = 0;  // smooth weighted round-robin (as nginx's)
    bool healthy = true;
    int tcp_failures = 0;
    int timeouts = 0;
    int http_failures = 0;
    int successes = 0;
  };
  void unhealthy_event(TargetState& target, int TargetState::*counter, int threshold);
  void healthy_event(TargetState& target);

  std::string name_;
  config::PassiveHealthcheck passive_;
  bool checks_enabled_ = false;
  mutable std::mutex mutex_;
  std::vector<TargetState> targets_;
};

}  // namespace bazaar::gateway::proxy
