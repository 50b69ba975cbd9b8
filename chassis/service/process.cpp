#include "chassis/service/process.hpp"

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <cstdlib>
#include <stdexcept>
#include <thread>

#include "chassis/http/operational.hpp"

namespace bazaar::service {
using namespace std::chrono_literals;

Basics read_basics(unsigned short default_port) {
  Basics b;
  auto level = config::string("LOG_LEVEL", "info");
  try {
    b.log_level = log::parse_level(level);
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("config: LOG_LEVEL: " + std::string(e.what()) + ", got '" + level +
                              "'");
  }
  b.server = http::ServerOptions::from_env(default_port);
  b.db_url = config::required_string("DB_URL");
  auto cores = std::max(1u, std::thread::hardware_concurrency());
  b.workers = static_cast<std::size_t>(config::integer("HTTP_THREADS", cores, 1, 256));
  b.pool_size = static_cast<std::size_t>(config::integer("DB_POOL_SIZE", 16, 1, 1000));
  b.db_startup_wait = config::duration("DB_STARTUP_WAIT", 30s);
  b.db_acquire_timeout = config::duration("DB_ACQUIRE_TIMEOUT", 2s);
  b.db_query_timeout = config::duration("DB_QUERY_TIMEOUT", 5s);
  b.db_pipeline_depth =
      static_cast<std::size_t>(config::integer("DB_PIPELINE_DEPTH", 32, 1, 10'000));
  b.health_cache_ttl = config::duration("HEALTH_CACHE_TTL", 1s);
  return b;
}

std::unique_ptr<PerWorker<pg::Pool>> make_pools(Runtime& runtime, const Basics& b,
                                                std::string metrics_name) {
  std::size_t per_worker = std::max<std::size_t>(1, b.pool_size / runtime.size());
  std::function<std::unique_ptr<pg::Pool>(std::size_t)> make = [&](std::size_t i) {
    pg::PoolOptions o;
    o.conninfo = b.db_url;
    o.name = metrics_name;
    o.max_size = per_worker;
    o.acquire_timeout = b.db_acquire_timeout;
    o.query_timeout = b.db_query_timeout;
    o.pipeline_depth = b.db_pipeline_depth;
    return std::make_unique<pg::Pool>(runtime.context(i).get_executor(), o);
  };
  return std::make_unique<PerWorker<pg::Pool>>(runtime, make);
}

void add_standard_routes(http::Router& router, PerWorker<pg::Pool>& pools, const Basics& b) {
  PerWorker<pg::Pool>* p = &pools;
  http::add_operational_routes(router, {{"database", [p]() { return p->local().ping(); }}},
                               b.health_cache_ttl);
}

void exit_after_drain() {
  log::info("stopped");
  log::flush_this_thread();
  std::fflush(nullptr);
  std::_Exit(0);
}

}  // namespace bazaar::service
