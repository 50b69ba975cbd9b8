#pragma once
// Everything a request needs from the declarative configuration, built once per load and
// immutable afterwards: the router, the jwt key ring, the plugin instances with their parsed
// configs, the upstreams' balancers. A reload builds a new Snapshot and swaps the pointer;
// requests in flight keep the one they started with.
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/config/declarative.hpp"
#include "gateway/config/load.hpp"
#include "gateway/plugins/jwt/config.hpp"
#include "gateway/plugins/jwt/key_ring.hpp"
#include "gateway/plugins/rate_limiting/config.hpp"
#include "gateway/plugins/rate_limiting/counter_key.hpp"
#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/request.hpp"
#include "gateway/plugins/request_transformer/config.hpp"
#include "gateway/proxy/balancer.hpp"
#include "gateway/proxy/counter_stores.hpp"
#include "gateway/proxy/plugin_scope.hpp"
#include "gateway/routing/router.hpp"

namespace bazaar::gateway::proxy {

struct RateLimitingInstance {
  rate_limiting::Config config;
  rate_limiting::PluginScope scope;  // the route/service the instance is attached to
  std::shared_ptr<rate_limiting::CounterStore> store;
};

using PluginConfig = std::variant<jwt::Config, RateLimitingInstance, request_transformer::Config>;

struct PluginInstance {
  std::string name;
  Scope scope;
  PluginConfig config;
};

// The plugins this gateway runs, in Kong's priority order (handler.lua PRIORITY).
inline constexpr std::string_view kJwt = "jwt";                                 // 1450
inline constexpr std::string_view kRateLimiting = "rate-limiting";              // 910
inline constexpr std::string_view kRequestTransformer = "request-transformer";  // 801

struct Snapshot {
  config::Declarative config;
  routing::Router router;
  jwt::KeyRing keys;
  std::vector<Consumer> consumers;                   // parallel to config.consumers
  std::vector<PluginInstance> plugins;               // enabled instances only
  std::vector<std::unique_ptr<Balancer>> balancers;  // parallel to config.upstreams
  std::string hash;  // MD5 of the file's text, Kong's configuration_hash
  std::chrono::system_clock::time_point loaded_at;

  // The instance of `name` that applies (Kong's precedence), or nullptr.
  const PluginInstance* find_plugin(std::string_view name, const Scope& request) const;
  // Whether a request-transformer that could apply to this route and service (for any
  // consumer) rewrites bodies: the proxy must then read the whole body before the plugins run.
  bool may_rewrite_body(const Scope& request) const;
  // Kong's anonymous lookup: a consumer by id, then by username.
  std::optional<std::size_t> find_consumer(std::string_view id_or_username) const;
  // The id Kong would show for an entity: its id, else its name.
  std::string service_id(std::size_t service) const;
  std::string route_id(std::size_t route) const;
  // Name, else id: views into the config, valid as long as this snapshot.
  std::string_view service_label(std::optional<std::size_t> service) const;
  std::string_view route_label(std::optional<std::size_t> route) const;
};

// Validates the plugins this gateway knows (jwt, rate-limiting, request-transformer) with
// their own parsers; any other plugin is "plugin is not installed", as in Kong.
config::PluginValidator plugin_validator();

// Throws config::ConfigError naming the entity and field.
std::shared_ptr<const Snapshot> build_snapshot(config::Declarative config, std::string hash,
                                               const CounterStores& stores);
std::shared_ptr<const Snapshot> parse_snapshot(std::string_view text, const CounterStores& stores);
std::shared_ptr<const Snapshot> load_snapshot(const std::string& path, const CounterStores& stores);

// The current snapshot, swapped atomically on reload.
class SnapshotHolder {
 public:
  explicit SnapshotHolder(std::shared_ptr<const Snapshot> initial) : current_(std::move(initial)) {}
  std::shared_ptr<const Snapshot> current() const {
    std::lock_guard lock(mutex_);
    return current_;
  }
  void replace(std::shared_ptr<const Snapshot> next) {
    std::lock_guard lock(mutex_);
    // Requests that already hold the old snapshot keep it alive until they finish.
    current_.swap(next);
  }

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const Snapshot> current_;
};

}  // namespace bazaar::gateway::proxy
