#include "gateway/proxy/snapshot.hpp"

#include <openssl/evp.h>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "gateway/config/config_error.hpp"

namespace bazaar::gateway::proxy {

namespace {

std::string join_field_errors(const FieldErrors& errors) {
  std::string out;
  for (const FieldError& e : errors) {
    if (!out.empty()) out += "; ";
    out += "config." + e.field + ": " + e.reason;
  }
  return out;
}

std::string md5_hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr) != 1) return "";
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[digest[i] >> 4];
    out += kHex[digest[i] & 0x0F];
  }
  return out;
}

template <class T>
std::string id_or_name(const T& entity) {
  if (entity.id) return *entity.id;
  if (entity.name) return *entity.name;
  return "";
}

std::string plugin_label(const config::Declarative& c, const config::Plugin& p) {
  std::string label = "plugin '" + p.name + "'";
  if (p.route) label += " on route '" + id_or_name(c.routes[*p.route]) + "'";
  if (p.service) label += " on service '" + id_or_name(c.services[*p.service]) + "'";
  if (p.consumer) {
    const auto& consumer = c.consumers[*p.consumer];
    label += " on consumer '" + consumer.username.value_or(consumer.custom_id.value_or("")) + "'";
  }
  return label;
}

Consumer to_consumer(const config::Consumer& c) {
  Consumer out;
  out.username = c.username.value_or("");
  out.custom_id = c.custom_id.value_or("");
  // Kong always has an id; a declarative file may leave it out, so fall back to a name.
  out.id = c.id ? *c.id : (c.username ? *c.username : out.custom_id);
  return out;
}

bool rewrites_body(const request_transformer::Config& c) {
  const auto any = [](const request_transformer::Targets& t) { return !t.body.empty(); };
  // A change of method to GET moves a form body into the query string.
  return any(c.remove) || any(c.rename) || any(c.replace) || any(c.add) || any(c.append) ||
         c.http_method.has_value();
}

}  // namespace

const PluginInstance* Snapshot::find_plugin(std::string_view name, const Scope& request) const {
  const PluginInstance* best = nullptr;
  for (const PluginInstance& p : plugins) {
    if (p.name != name || !applies(p.scope, request)) continue;
    if (best == nullptr || precedence(p.scope) < precedence(best->scope)) best = &p;
  }
  return best;
}

bool Snapshot::may_rewrite_body(const Scope& request) const {
  for (const PluginInstance& p : plugins) {
    const auto* rt = std::get_if<request_transformer::Config>(&p.config);
    if (rt == nullptr || !rewrites_body(*rt)) continue;
    Scope ignoring_consumer = p.scope;
    ignoring_consumer.consumer.reset();
    if (applies(ignoring_consumer, request)) return true;
  }
  return false;
}

std::optional<std::size_t> Snapshot::find_consumer(std::string_view id_or_username) const {
  for (std::size_t i = 0; i < consumers.size(); ++i)
    if (consumers[i].id == id_or_username) return i;
  for (std::size_t i = 0; i < consumers.size(); ++i)
    if (config.consumers[i].username && *config.consumers[i].username == id_or_username) return i;
  return std::nullopt;
}

std::string Snapshot::service_id(std::size_t service) const {
  return id_or_name(config.services.at(service));
}
std::string Snapshot::route_id(std::size_t route) const {
  return id_or_name(config.routes.at(route));
}
std::string_view Snapshot::service_label(std::optional<std::size_t> service) const {
  if (!service) return {};
  const auto& s = config.services.at(*service);
  return s.name ? *s.name : s.id ? *s.id : std::string_view();
}
std::string_view Snapshot::route_label(std::optional<std::size_t> route) const {
  if (!route) return {};
  const auto& r = config.routes.at(*route);
  return r.name ? *r.name : r.id ? *r.id : std::string_view();
}

config::PluginValidator plugin_validator() {
  return
      [](std::string_view name, const boost::json::object& config) -> std::optional<std::string> {
        if (name == kJwt) {
          auto parsed = jwt::parse_config(config);
          if (auto* error = std::get_if<std::string>(&parsed)) return *error;
          return std::nullopt;
        }
        if (name == kRateLimiting) {
          auto parsed = rate_limiting::parse_config(config);
          if (auto* errors = std::get_if<FieldErrors>(&parsed)) return join_field_errors(*errors);
          return std::nullopt;
        }
        if (name == kRequestTransformer) {
          auto parsed = request_transformer::parse_config(config);
          if (auto* errors = std::get_if<FieldErrors>(&parsed)) return join_field_errors(*errors);
          return std::nullopt;
        }
        return std::string("plugin is not installed");
      };
}

std::shared_ptr<const Snapshot> build_snapshot(config::Declarative config, std::string hash,
                                               const CounterStores& stores) {
  for (const config::Service& s : config.services) {
    if (s.protocol != "http") {
      throw config::ConfigError("service '" + s.name.value_or(s.host) + "': protocol '" +
                                s.protocol + "' upstreams are not supported by this gateway yet");
    }
  }
  std::optional<routing::Router> router;
  try {
    router.emplace(config);
  } catch (const std::runtime_error& e) {
    throw config::ConfigError(std::string("routes: ") + e.what());
  }
  auto snapshot = std::make_shared<Snapshot>(Snapshot{.config = {}, .router = std::move(*router)});

  std::vector<jwt::Credential> credentials;
  for (const config::Consumer& c : config.consumers) {
    snapshot->consumers.push_back(to_consumer(c));
    for (const config::JwtSecret& secret : c.jwt_secrets) {
      jwt::Credential credential;
      credential.id = secret.id.value_or(secret.key);
      credential.key = secret.key;
      credential.algorithm = secret.algorithm;
      credential.secret = secret.secret;
      credential.rsa_public_key = secret.rsa_public_key.value_or("");
      credential.consumer = snapshot->consumers.back();
      credentials.push_back(std::move(credential));
    }
  }
  auto ring = jwt::KeyRing::build(std::move(credentials));
  if (auto* error = std::get_if<std::string>(&ring)) throw config::ConfigError(*error);
  snapshot->keys = std::move(std::get<jwt::KeyRing>(ring));

  for (const config::Plugin& p : config.plugins) {
    if (!p.enabled) continue;
    PluginInstance instance{p.name, Scope{p.route, p.service, p.consumer}, jwt::Config{}};
    const std::string label = plugin_label(config, p);
    if (p.name == kJwt) {
      auto parsed = jwt::parse_config(p.config);
      if (auto* error = std::get_if<std::string>(&parsed))
        throw config::ConfigError(label + ": " + *error);
      instance.config = std::get<jwt::Config>(std::move(parsed));
    } else if (p.name == kRateLimiting) {
      auto parsed = rate_limiting::parse_config(p.config);
      if (auto* errors = std::get_if<FieldErrors>(&parsed))
        throw config::ConfigError(label + ": " + join_field_errors(*errors));
      RateLimitingInstance rl;
      rl.config = std::get<rate_limiting::Config>(std::move(parsed));
      if (p.route) rl.scope.route_id = id_or_name(config.routes[*p.route]);
      if (p.service) rl.scope.service_id = id_or_name(config.services[*p.service]);
      try {
        rl.store = counter_store_for(rl.config, stores);
      } catch (const config::ConfigError& e) {
        throw config::ConfigError(label + ": config.policy: " + e.what());
      }
      instance.config = std::move(rl);
    } else if (p.name == kRequestTransformer) {
      auto parsed = request_transformer::parse_config(p.config);
      if (auto* errors = std::get_if<FieldErrors>(&parsed))
        throw config::ConfigError(label + ": " + join_field_errors(*errors));
      instance.config = std::get<request_transformer::Config>(std::move(parsed));
    } else {
      throw config::ConfigError(label + ": plugin is not installed");
    }
    snapshot->plugins.push_back(std::move(instance));
  }

  for (const config::Upstream& u : config.upstreams)
    snapshot->balancers.push_back(std::make_unique<Balancer>(u));

  snapshot->config = std::move(config);
  snapshot->hash = std::move(hash);
  snapshot->loaded_at = std::chrono::system_clock::now();
  return snapshot;
}

std::shared_ptr<const Snapshot> parse_snapshot(std::string_view text, const CounterStores& stores) {
  return build_snapshot(config::parse_declarative(text, plugin_validator()), md5_hex(text), stores);
}

std::shared_ptr<const Snapshot> load_snapshot(const std::string& path,
                                              const CounterStores& stores) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw config::ConfigError("cannot read declarative config '" + path + "'");
  std::stringstream text;
  text << in.rdbuf();
  return parse_snapshot(text.str(), stores);
}

}  // namespace bazaar::gateway::proxy
