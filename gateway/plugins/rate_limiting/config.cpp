#include "gateway/plugins/rate_limiting/config.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string_view>

#include "chassis/core/text.hpp"
#include "gateway/plugins/header_name.hpp"

namespace bazaar::gateway::rate_limiting {

namespace {

namespace json = boost::json;

// Reads typed fields out of one JSON object, collecting errors instead of stopping at the
// first, and remembering which keys were consumed so leftovers can be reported as unknown.
class Fields {
 public:
  Fields(const json::object& object, std::string prefix, FieldErrors& errors)
      : object_(object), prefix_(std::move(prefix)), errors_(errors) {}

  // nullptr when absent or JSON null (Kong treats null as "not set").
  const json::value* find(std::string_view key) {
    seen_.emplace(key);
    const json::value* value = object_.if_contains(key);
    return value != nullptr && !value->is_null() ? value : nullptr;
  }

  void fail(std::string_view key, std::string reason) {
    errors_.push_back({prefix_ + std::string(key), std::move(reason)});
  }

  std::optional<double> number(std::string_view key) {
    const json::value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (value->is_int64()) return static_cast<double>(value->get_int64());
    if (value->is_uint64()) return static_cast<double>(value->get_uint64());
    if (value->is_double()) return value->get_double();
    fail(key, "expected a number");
    return std::nullopt;
  }

  std::optional<std::int64_t> integer(std::string_view key) {
    const std::optional<double> value = number(key);
    if (!value) return std::nullopt;
    if (std::trunc(*value) != *value || std::abs(*value) > 9.0e15) {
      fail(key, "expected an integer");
      return std::nullopt;
    }
    return static_cast<std::int64_t>(*value);
  }

  std::optional<std::string> string(std::string_view key) {
    const json::value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_string()) {
      fail(key, "expected a string");
      return std::nullopt;
    }
    return std::string(value->get_string());
  }

  std::optional<bool> boolean(std::string_view key) {
    const json::value* value = find(key);
    if (value == nullptr) return std::nullopt;
    if (!value->is_bool()) {
      fail(key, "expected a boolean");
      return std::nullopt;
    }
    return value->get_bool();
  }

  const json::object* object(std::string_view key) {
    const json::value* value = find(key);
    if (value == nullptr) return nullptr;
    if (!value->is_object()) {
      fail(key, "expected a record");
      return nullptr;
    }
    return &value->get_object();
  }

  void reject_unknown() {
    for (const auto& [key, value] : object_) {
      if (!seen_.contains(std::string_view(key))) fail(key, "unknown field");
    }
  }

 private:
  const json::object& object_;
  std::string prefix_;
  FieldErrors& errors_;
  std::set<std::string, std::less<>> seen_;
};

std::string format_limit(std::int64_t value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f", static_cast<double>(value));
  return buffer;
}

void parse_limits(Fields& fields, Config& config) {
  for (Period period : kPeriods) {
    const std::string_view name = period_name(period);
    const std::optional<double> value = fields.number(name);
    if (!value) continue;
    if (!(*value > 0)) {
      fields.fail(name, "value must be greater than 0");
    } else if (std::trunc(*value) != *value || *value > 9.0e15) {
      // Kong accepts fractional limits; counts are whole requests, so we ask for integers.
      fields.fail(name, "expected a whole number of requests");
    } else {
      config.limits[static_cast<std::size_t>(period)] = static_cast<std::int64_t>(*value);
    }
  }
}

// schema.lua validate_periods_order: a larger period may not allow fewer requests.
void check_period_order(const Config& config, FieldErrors& errors) {
  for (std::size_t lower = 0; lower < kPeriods.size(); ++lower) {
    if (!config.limits[lower]) continue;
    for (std::size_t upper = lower + 1; upper < kPeriods.size(); ++upper) {
      if (config.limits[upper] && *config.limits[upper] < *config.limits[lower]) {
        errors.push_back({std::string(period_name(kPeriods[upper])),
                          "The limit for " + std::string(period_name(kPeriods[upper])) + "(" +
                              format_limit(*config.limits[upper]) +
                              ") cannot be lower than the limit for " +
                              std::string(period_name(kPeriods[lower])) + "(" +
                              format_limit(*config.limits[lower]) + ")"});
        return;
      }
    }
  }
}

std::optional<LimitBy> parse_limit_by(std::string_view text) {
  static const std::map<std::string_view, LimitBy> kByName = {{"consumer", LimitBy::consumer},
                                                              {"credential", LimitBy::credential},
                                                              {"ip", LimitBy::ip},
                                                              {"service", LimitBy::service},
                                                              {"header", LimitBy::header},
                                                              {"path", LimitBy::path}};
  const auto found = kByName.find(text);
  if (found == kByName.end()) return std::nullopt;
  return found->second;
}

bool valid_port(std::int64_t port) { return port >= 0 && port <= 65535; }

// The nested `redis` record (Kong >= 3.6, kong/tools/redis/schema.lua).
void parse_redis_record(const json::object& object, RedisConfig& redis, FieldErrors& errors) {
  Fields fields(object, "redis.", errors);
  if (auto host = fields.string("host")) redis.host = *host;
  if (auto port = fields.integer("port")) {
    if (valid_port(*port)) {
      redis.port = static_cast<int>(*port);
    } else {
      fields.fail("port", "value should be between 0 and 65535");
    }
  }
  if (auto timeout = fields.integer("timeout")) {
    if (*timeout >= 0 && *timeout <= 2147483646) {
      redis.timeout_ms = static_cast<int>(*timeout);
    } else {
      fields.fail("timeout", "value should be between 0 and 2147483646");
    }
  }
  if (auto username = fields.string("username")) redis.username = *username;
  if (auto password = fields.string("password")) redis.password = *password;
  if (auto database = fields.integer("database")) redis.database = static_cast<int>(*database);
  if (auto ssl = fields.boolean("ssl")) redis.ssl = *ssl;
  if (auto ssl_verify = fields.boolean("ssl_verify")) redis.ssl_verify = *ssl_verify;
  if (auto server_name = fields.string("server_name")) redis.server_name = *server_name;
  fields.reject_unknown();
}

// The flat `redis_*` fields, deprecated in 3.6 but still accepted by Kong 3.x as shorthands
// that write into the nested record (schema.lua shorthand_fields).
void parse_redis_shorthands(Fields& fields, const json::object* nested, RedisConfig& redis) {
  const auto conflicts = [&](std::string_view flat, std::string_view key) {
    if (nested == nullptr) return false;
    const json::value* a = nested->if_contains(key);
    const json::value* b = fields.find(flat);
    if (a == nullptr || a->is_null() || b == nullptr || *a == *b) return false;
    fields.fail(flat, "conflicts with redis." + std::string(key));
    return true;
  };
  const std::pair<std::string_view, std::string_view> kShorthands[] = {
      {"redis_host", "host"},
      {"redis_port", "port"},
      {"redis_timeout", "timeout"},
      {"redis_username", "username"},
      {"redis_password", "password"},
      {"redis_database", "database"},
      {"redis_ssl", "ssl"},
      {"redis_ssl_verify", "ssl_verify"},
      {"redis_server_name", "server_name"}};
  json::object translated;
  for (const auto& [flat, key] : kShorthands) {
    if (conflicts(flat, key)) continue;
    if (const json::value* value = fields.find(flat)) translated[key] = *value;
  }
  if (translated.empty()) return;
  FieldErrors errors;
  parse_redis_record(translated, redis, errors);
  for (FieldError& error : errors) {
    // Report the field the user wrote: "redis.port" came from "redis_port".
    fields.fail("redis_" + error.field.substr(std::string_view("redis.").size()),
                std::move(error.reason));
  }
}

}  // namespace

std::variant<Config, FieldErrors> parse_config(const boost::json::object& json) {
  Config config;
  FieldErrors errors;
  Fields fields(json, "", errors);

  parse_limits(fields, config);

  if (auto limit_by = fields.string("limit_by")) {
    if (auto parsed = parse_limit_by(*limit_by)) {
      config.limit_by = *parsed;
    } else {
      fields.fail("limit_by", "expected one of: consumer, credential, ip, service, header, path");
    }
  }
  if (auto header_name = fields.string("header_name")) {
    if (is_header_name(*header_name)) {
      config.header_name = *header_name;
    } else {
      fields.fail("header_name", "bad header name '" + *header_name +
                                     "', allowed characters are A-Z, a-z, 0-9, '_', and '-'");
    }
  }
  if (auto path = fields.string("path")) {
    if (path->empty() || path->front() != '/' || text::has_control(*path) ||
        path->find(' ') != std::string::npos) {
      fields.fail("path", "should start with: /");
    } else {
      config.path = *path;
    }
  }
  if (auto policy = fields.string("policy")) {
    if (*policy == "local") {
      config.policy = Policy::local;
    } else if (*policy == "redis") {
      config.policy = Policy::redis;
    } else if (*policy == "cluster") {
      fields.fail("policy",
                  "'cluster' keeps counters in Kong's database, which this gateway does not "
                  "have; use 'local' or 'redis'");
    } else {
      fields.fail("policy", "expected one of: local, redis");
    }
  }
  if (auto fault_tolerant = fields.boolean("fault_tolerant")) {
    config.fault_tolerant = *fault_tolerant;
  }
  if (auto hide = fields.boolean("hide_client_headers")) config.hide_client_headers = *hide;
  if (auto error_code = fields.integer("error_code")) {
    if (*error_code >= 100 && *error_code <= 999) {
      config.error_code = static_cast<int>(*error_code);
    } else {
      fields.fail("error_code", "expected an HTTP status code");
    }
  }
  if (auto error_message = fields.string("error_message")) config.error_message = *error_message;
  if (auto sync_rate = fields.number("sync_rate")) config.sync_rate = *sync_rate;

  const json::object* nested = fields.object("redis");
  if (nested != nullptr) parse_redis_record(*nested, config.redis, errors);
  parse_redis_shorthands(fields, nested, config.redis);

  fields.reject_unknown();

  // schema.lua entity_checks and custom_validator.
  if (std::none_of(config.limits.begin(), config.limits.end(),
                   [](const auto& limit) { return limit.has_value(); })) {
    errors.push_back({"second",
                      "at least one of these fields must be non-empty: 'second', "
                      "'minute', 'hour', 'day', 'month', 'year'"});
  }
  check_period_order(config, errors);
  if (config.limit_by == LimitBy::header && config.header_name.empty()) {
    errors.push_back({"header_name", "required field missing (limit_by is header)"});
  }
  if (config.limit_by == LimitBy::path && config.path.empty()) {
    errors.push_back({"path", "required field missing (limit_by is path)"});
  }
  if (config.policy == Policy::redis && config.redis.host.empty()) {
    errors.push_back({"redis.host", "required field missing (policy is redis)"});
  }
  if (config.policy != Policy::redis && config.sync_rate != -1) {
    errors.push_back({"sync_rate", "sync_rate can only be used with the redis policy"});
  }
  if (config.policy == Policy::redis && config.sync_rate != -1 && config.sync_rate < 0.02) {
    errors.push_back({"sync_rate", "sync_rate must be greater than 0.02, or -1 to disable"});
  }

  if (!errors.empty()) return errors;
  return config;
}

}  // namespace bazaar::gateway::rate_limiting
