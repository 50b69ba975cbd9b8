#pragma once
// The standard process_* metrics of the Prometheus client libraries (same names, help texts
// and types), so stock dashboards and alerts work on our services unchanged. Linux only.
#include "chassis/telemetry/metrics.hpp"

namespace bazaar::telemetry {

// Adds a collector that reads /proc/self on every render():
//   process_cpu_seconds_total      counter  utime + stime
//   process_max_fds                gauge    soft RLIMIT_NOFILE (+Inf when unlimited)
//   process_open_fds               gauge    entries of /proc/self/fd
//   process_resident_memory_bytes  gauge    /proc/self/statm resident x page size
//   process_start_time_seconds     gauge    unix time; computed once, here
//   process_virtual_memory_bytes   gauge    /proc/self/statm size x page size
// A value that cannot be read is left out of that scrape rather than reported as 0. Call once
// per registry: a second call would emit every family twice.
void register_process_metrics(Registry& r);

}  // namespace bazaar::telemetry
