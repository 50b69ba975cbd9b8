#pragma once
// What every service process does the same way: the settings all of them read, one database
// pool per worker, the health and metrics routes, the shape of main() and the exit after
// the drain. A service's main.cpp keeps only what is its own.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "chassis/core/config.hpp"
#include "chassis/core/log.hpp"
#include "chassis/core/runtime.hpp"
#include "chassis/http/router.hpp"
#include "chassis/http/server.hpp"
#include "chassis/pg/pool.hpp"

namespace bazaar::service {

struct Basics {
  log::Level log_level = log::Level::info;
  http::ServerOptions server;
  std::string db_url;
  std::size_t workers = 1;
  std::size_t pool_size = 16;
  std::chrono::milliseconds db_startup_wait{30'000};
  std::chrono::milliseconds db_acquire_timeout{2'000};
  std::chrono::milliseconds db_query_timeout{5'000};
  std::size_t db_pipeline_depth = 32;
  std::chrono::milliseconds health_cache_ttl{1'000};
};

// LOG_LEVEL, BIND_ADDRESS/PORT/HTTP_*, DB_URL (required), HTTP_THREADS, DB_POOL_SIZE,
// DB_STARTUP_WAIT, DB_ACQUIRE_TIMEOUT, DB_QUERY_TIMEOUT, DB_PIPELINE_DEPTH, HEALTH_CACHE_TTL.
// Throws config::ConfigError naming the variable.
Basics read_basics(unsigned short default_port);

// One pool per worker; DB_POOL_SIZE is the process's budget, shared out among them.
std::unique_ptr<PerWorker<pg::Pool>> make_pools(Runtime& runtime, const Basics& basics,
                                                std::string metrics_name);

// /health/live, /health/ready and /health (the database answers), /metrics.
void add_standard_routes(http::Router& router, PerWorker<pg::Pool>& pools, const Basics& basics);

// Everything is drained: write the last log lines and leave. Tearing down coroutine frames
// that still wait on sockets would race the pools and io_contexts they point into, and
// gains nothing at exit.
[[noreturn]] void exit_after_drain();

// The body of every main(): settings (a ConfigError is one line on stderr, exit 2), logs,
// then `run` (a failure to start is logged, exit 1). Settings has a `basics` member.
template <class Settings>
int main(const char* name, Settings (*read)(), int (*run)(const Settings&)) {
  Settings settings;
  try {
    settings = read();
  } catch (const config::ConfigError& e) {
    std::fprintf(stderr, "%s: %s\n", name, e.what());
    return 2;
  }
  log::init(name, settings.basics.log_level);
  try {
    return run(settings);
  } catch (const std::exception& e) {
    log::error("start-up failed", {{"error", e.what()}});
    return 1;
  }
}

}  // namespace bazaar::service
