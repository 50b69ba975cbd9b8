#include "gateway/proxy/access_log.hpp"

#include "chassis/core/log.hpp"

namespace bazaar::gateway::proxy {

namespace {
double round_ms(double ms) { return static_cast<double>(static_cast<long long>(ms * 1000)) / 1000; }
}  // namespace

void write_access_log(const AccessRecord& r) {
  if (!log::enabled(log::Level::info)) return;
  log::TraceIds ids;
  if (r.trace != nullptr) ids = r.trace->ids();
  const log::TraceIds* trace = r.trace != nullptr ? &ids : nullptr;
  const double upstream = r.upstream_latency_ms ? round_ms(*r.upstream_latency_ms) : -1.0;
  log::write(log::Level::info, trace, "request",
             {{"method", r.method},
              {"path", r.path},
              {"status", r.status},
              {"route", r.route},
              {"service", r.service},
              {"consumer_id", r.consumer_id},
              {"client_ip", r.client_ip},
              {"request_id", r.request_id},
              {"upstream", r.upstream},
              {"tries", r.tries},
              {"latency_ms", round_ms(r.latency_ms)},
              {"upstream_latency_ms", upstream},
              {"error", r.error}});
}

}  // namespace bazaar::gateway::proxy
