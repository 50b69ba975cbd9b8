#include "gateway/proxy/balancer.hpp"

#include <algorithm>

namespace bazaar::gateway::proxy {

Balancer::Balancer(const config::Upstream& upstream)
    : name_(upstream.name), passive_(upstream.passive_healthcheck) {
  const auto& u = passive_.unhealthy;
  checks_enabled_ = u.tcp_failures > 0 || u.timeouts > 0 || u.http_failures > 0;
  for (const config::Target& t : upstream.targets) {
    TargetState s;
    s.name = t.target;
    s.host = t.host;
    s.port = t.port;
    s.weight = t.weight;
    targets_.push_back(std::move(s));
  }
}

std::optional<Balancer::Pick> Balancer::next() {
  std::lock_guard lock(mutex_);
  int total = 0;
  TargetState* best = nullptr;
  std::size_t best_index = 0;
  for (std::size_t i = 0; i < targets_.size(); ++i) {
    TargetState& t = targets_[i];
    if (t.weight <= 0 || !t.healthy) continue;
    t.current_weight += t.weight;
    total += t.weight;
    if (best == nullptr || t.current_weight > best->current_weight) {
      best = &t;
      best_index = i;
    }
  }
  if (best == nullptr) return std::nullopt;
  best->current_weight -= total;
  return Pick{best_index, best->host, best->port};
}

void Balancer::unhealthy_event(TargetState& target, int TargetState::*counter, int threshold) {
  if (threshold <= 0) return;
  target.successes = 0;
  if (++(target.*counter) >= threshold && target.healthy) {
    target.healthy = false;
    target.current_weight = 0;
  }
}

void Balancer::healthy_event(TargetState& target) {
  target.tcp_failures = target.timeouts = target.http_failures = 0;
  const int threshold = passive_.healthy.successes;
  if (target.healthy || threshold <= 0) return;
  if (++target.successes >= threshold) {
    target.healthy = true;
    target.successes = 0;
  }
}

void Balancer::report_tcp_failure(std::size_t target) {
  std::lock_guard lock(mutex_);
  unhealthy_event(targets_.at(target), &TargetState::tcp_failures, passive_.unhealthy.tcp_failures);
}

void Balancer::report_timeout(std::size_t target) {
  std::lock_guard lock(mutex_);
  unhealthy_event(targets_.at(target), &TargetState::timeouts, passive_.unhealthy.timeouts);
}

void Balancer::report_http_status(std::size_t target, int status) {
  std::lock_guard lock(mutex_);
  TargetState& t = targets_.at(target);
  const auto& bad = passive_.unhealthy.http_statuses;
  const auto& good = passive_.healthy.http_statuses;
  if (std::find(bad.begin(), bad.end(), status) != bad.end()) {
    unhealthy_event(t, &TargetState::http_failures, passive_.unhealthy.http_failures);
  } else if (std::find(good.begin(), good.end(), status) != good.end()) {
    healthy_event(t);
  }
}

TargetHealth Balancer::health(std::size_t target) const {
  if (!checks_enabled_) return TargetHealth::healthchecks_off;
  std::lock_guard lock(mutex_);
  return targets_.at(target).healthy ? TargetHealth::healthy : TargetHealth::unhealthy;
}

}  // namespace bazaar::gateway::proxy
