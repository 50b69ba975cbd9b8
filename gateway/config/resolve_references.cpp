#include "gateway/config/resolve_references.hpp"

#include <map>
#include <set>
#include <tuple>

#include "gateway/config/config_error.hpp"

namespace bazaar::gateway::config {
namespace {

// Finds entities by their endpoint key (name, username...) or id, as Kong's declarative
// loader does (find_entity in kong/db/schema/others/declarative_config.lua).
class Index {
 public:
  Index(std::string entities) : entities_(std::move(entities)) {}

  void add_key(const std::optional<std::string>& key, std::string_view key_name, std::size_t index,
               const std::string& label) {
    if (key) insert(by_key_, *key, key_name, index, label);
  }
  void add_id(const std::optional<std::string>& id, std::size_t index, const std::string& label) {
    if (id) insert(by_id_, *id, "primary key", index, label);
  }

  std::size_t find(const std::string& reference, std::string_view field,
                   const std::string& label) const {
    if (auto it = by_key_.find(reference); it != by_key_.end()) return it->second;
    if (auto it = by_id_.find(reference); it != by_id_.end()) return it->second;
    throw ConfigError(label + ": invalid reference '" + std::string(field) + ": " + reference +
                      "' (no such entry in '" + entities_ + "')");
  }

 private:
  void insert(std::map<std::string, std::size_t>& map, const std::string& key,
              std::string_view key_name, std::size_t index, const std::string& label) {
    if (!map.emplace(key, index).second) {
      throw ConfigError(label + ": uniqueness violation: '" + entities_ + "' entity with " +
                        std::string(key_name) + " set to '" + key + "' already declared");
    }
  }

  std::string entities_;
  std::map<std::string, std::size_t> by_key_;
  std::map<std::string, std::size_t> by_id_;
};

void require_unique(std::set<std::string>& seen, const std::optional<std::string>& value,
                    std::string_view entities, std::string_view field, const std::string& label) {
  if (value && !seen.insert(*value).second) {
    throw ConfigError(label + ": uniqueness violation: '" + std::string(entities) +
                      "' entity with " + std::string(field) + " set to '" + *value +
                      "' already declared");
  }
}

std::string plugin_scope_label(const Plugin& plugin, const DeclarativeDraft& draft) {
  std::string scope;
  auto add = [&scope](const std::string& label) { scope += (scope.empty() ? "" : ", ") + label; };
  if (plugin.route) add(draft.routes[*plugin.route].label);
  if (plugin.service) add(draft.services[*plugin.service].label);
  if (plugin.consumer) add(draft.consumers[*plugin.consumer].label);
  std::string out = "plugin '" + plugin.name + "'";
  if (plugin.instance_name) out += " (instance '" + *plugin.instance_name + "')";
  return out + (scope.empty() ? " (global)" : " on " + scope);
}

}  // namespace

Declarative resolve_references(DeclarativeDraft draft, const PluginValidator& validate) {
  Index services("services"), routes("routes"), consumers("consumers"), upstreams("upstreams");
  for (std::size_t i = 0; i < draft.services.size(); ++i) {
    const auto& s = draft.services[i];
    services.add_key(s.service.name, "name", i, s.label);
    services.add_id(s.service.id, i, s.label);
  }
  for (std::size_t i = 0; i < draft.routes.size(); ++i) {
    const auto& r = draft.routes[i];
    routes.add_key(r.route.name, "name", i, r.label);
    routes.add_id(r.route.id, i, r.label);
  }
  std::set<std::string> custom_ids;
  for (std::size_t i = 0; i < draft.consumers.size(); ++i) {
    const auto& c = draft.consumers[i];
    consumers.add_key(c.consumer.username, "username", i, c.label);
    consumers.add_id(c.consumer.id, i, c.label);
    require_unique(custom_ids, c.consumer.custom_id, "consumers", "custom_id", c.label);
  }
  for (std::size_t i = 0; i < draft.upstreams.size(); ++i) {
    const auto& u = draft.upstreams[i];
    upstreams.add_key(u.upstream.name, "name", i, u.label);
    upstreams.add_id(u.upstream.id, i, u.label);
  }

  Declarative out;
  out.format_version = draft.format_version;

  for (auto& s : draft.services) out.services.push_back(s.service);
  for (auto& service : out.services) {
    for (std::size_t u = 0; u < draft.upstreams.size(); ++u) {
      if (draft.upstreams[u].upstream.name == service.host) service.upstream = u;
    }
  }

  for (auto& r : draft.routes) {
    r.route.service = r.parent_service;
    if (r.service_ref) r.route.service = services.find(*r.service_ref, "service", r.label);
    out.routes.push_back(r.route);
  }

  for (auto& c : draft.consumers) out.consumers.push_back(c.consumer);
  std::set<std::string> jwt_keys, jwt_ids;
  for (auto& j : draft.jwt_secrets) {
    require_unique(jwt_keys, j.secret.key, "jwt_secrets", "key", j.label);
    require_unique(jwt_ids, j.secret.id, "jwt_secrets", "primary key", j.label);
    std::size_t owner = j.parent_consumer ? *j.parent_consumer
                                          : consumers.find(*j.consumer_ref, "consumer", j.label);
    out.consumers[owner].jwt_secrets.push_back(j.secret);
  }

  for (auto& u : draft.upstreams) out.upstreams.push_back(u.upstream);
  std::set<std::pair<std::size_t, std::string>> targets;
  std::set<std::string> target_ids;
  for (auto& t : draft.targets) {
    std::size_t owner = t.parent_upstream ? *t.parent_upstream
                                          : upstreams.find(*t.upstream_ref, "upstream", t.label);
    if (!targets.emplace(owner, t.target.target).second) {
      throw ConfigError(t.label + ": uniqueness violation: target '" + t.target.target +
                        "' already declared in " + draft.upstreams[owner].label);
    }
    require_unique(target_ids, t.target.id, "targets", "primary key", t.label);
    out.upstreams[owner].targets.push_back(t.target);
  }

  std::set<std::tuple<std::string, std::optional<std::size_t>, std::optional<std::size_t>,
                      std::optional<std::size_t>>>
      plugin_scopes;
  std::set<std::string> plugin_ids, instance_names;
  for (auto& p : draft.plugins) {
    Plugin& plugin = p.plugin;
    plugin.service = p.parent_service;
    plugin.route = p.parent_route;
    plugin.consumer = p.parent_consumer;
    if (p.service_ref) plugin.service = services.find(*p.service_ref, "service", p.label);
    if (p.route_ref) plugin.route = routes.find(*p.route_ref, "route", p.label);
    if (p.consumer_ref) plugin.consumer = consumers.find(*p.consumer_ref, "consumer", p.label);

    std::string label = plugin_scope_label(plugin, draft);
    // Kong's plugins cache_key is (name, route, service, consumer): one instance per scope.
    if (!plugin_scopes.emplace(plugin.name, plugin.route, plugin.service, plugin.consumer).second) {
      throw ConfigError(label + ": uniqueness violation: the plugin is already configured on " +
                        "this scope");
    }
    require_unique(plugin_ids, plugin.id, "plugins", "primary key", label);
    require_unique(instance_names, plugin.instance_name, "plugins", "instance_name", label);
    if (validate) {
      if (auto error = validate(plugin.name, plugin.config)) {
        throw ConfigError(label + ": " + *error);
      }
    }
    out.plugins.push_back(std::move(plugin));
  }
  return out;
}

}  // namespace bazaar::gateway::config
