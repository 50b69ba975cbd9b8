#pragma once
// The declarative file read entity by entity, before references between entities are
// resolved: what the entity readers produce and resolve_references consumes.
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/declarative.hpp"

namespace bazaar::gateway::config {

struct ServiceDraft {
  Service service;
  std::string label;  // "service 'user-service'" or "service at services[3]"
};

struct RouteDraft {
  Route route;
  std::string label;
  std::optional<std::string> service_ref;     // top-level routes: `service: <name or id>`
  std::optional<std::size_t> parent_service;  // nested routes: index into services
};

struct ConsumerDraft {
  Consumer consumer;
  std::string label;
};

struct UpstreamDraft {
  Upstream upstream;
  std::string label;
};

struct JwtSecretDraft {
  JwtSecret secret;
  std::string label;
  std::optional<std::string> consumer_ref;
  std::optional<std::size_t> parent_consumer;
};

struct TargetDraft {
  Target target;
  std::string label;
  std::optional<std::string> upstream_ref;
  std::optional<std::size_t> parent_upstream;
};

struct PluginDraft {
  Plugin plugin;
  std::string label;  // the plugin and where it is declared, for reading errors
  std::optional<std::string> service_ref;
  std::optional<std::string> route_ref;
  std::optional<std::string> consumer_ref;
  // Set for nested plugins: the scope comes from the enclosing entity.
  std::optional<std::size_t> parent_service;
  std::optional<std::size_t> parent_route;
  std::optional<std::size_t> parent_consumer;
};

struct DeclarativeDraft {
  std::string format_version;
  // Formats 1.1 and 2.1 predate the "~" regex marker; their paths are migrated on reading.
  bool legacy_paths = false;
  std::vector<ServiceDraft> services;
  std::vector<RouteDraft> routes;
  std::vector<ConsumerDraft> consumers;
  std::vector<UpstreamDraft> upstreams;
  std::vector<JwtSecretDraft> jwt_secrets;
  std::vector<TargetDraft> targets;
  std::vector<PluginDraft> plugins;
};

// "kind 'name'" when the entity has a name, otherwise "kind at location".
std::string entity_label(std::string_view kind, const std::optional<std::string>& name,
                         std::string_view location);

}  // namespace bazaar::gateway::config
