#pragma once
// One JSON line per proxied request (chassis log format, message "request"): who asked for
// what, where it went, how it ended and how long each part took.
#include <optional>
#include <string_view>

#include "chassis/telemetry/trace.hpp"

namespace bazaar::gateway::proxy {

struct AccessRecord {
  std::string_view method;
  std::string_view path;
  int status = 0;
  std::string_view route;  // "" when unmatched
  std::string_view service;
  std::string_view consumer_id;
  std::string_view client_ip;
  std::string_view request_id;  // the client's X-Request-ID, if any
  std::string_view upstream;    // "ip:port" of the last attempt, "" when none
  std::string_view error;       // why the gateway answered with an error, if it did
  double latency_ms = 0;
  std::optional<double> upstream_latency_ms;
  int tries = 0;
  const telemetry::TraceContext* trace = nullptr;
};

void write_access_log(const AccessRecord& record);

}  // namespace bazaar::gateway::proxy
