#pragma once
// The rate-limiting plugin's configuration, Kong 3.x fields and defaults
// (kong/plugins/rate-limiting/schema.lua, kong/tools/redis/schema.lua).
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include <boost/json/object.hpp>

#include "chassis/core/field_error.hpp"
#include "gateway/plugins/rate_limiting/period.hpp"

namespace bazaar::gateway::rate_limiting {

enum class LimitBy { consumer, credential, ip, service, header, path };

// Kong also has `cluster` (counters in its database); this gateway has no such database.
enum class Policy { local, redis };

struct RedisConfig {
  std::string host;  // required when policy is redis
  int port = 6379;
  int timeout_ms = 2000;
  std::string username;  // "" = no ACL user
  std::string password;  // "" = no AUTH
  int database = 0;
  bool ssl = false;
  bool ssl_verify = false;
  std::string server_name;
};

struct Config {
  std::array<std::optional<std::int64_t>, kPeriods.size()> limits;  // by Period; at least one
  LimitBy limit_by = LimitBy::consumer;
  std::string header_name;  // required when limit_by is header
  std::string path;         // required when limit_by is path
  Policy policy = Policy::local;
  bool fault_tolerant = true;
  bool hide_client_headers = false;
  int error_code = 429;
  std::string error_message = "API rate limit exceeded";
  RedisConfig redis;
  // Accepted for compatibility and validated as Kong does, but counting is always synchronous
  // (Kong's -1): a batched sync would let two gateways overshoot a shared limit.
  double sync_rate = -1;

  std::optional<std::int64_t> limit(Period period) const {
    return limits[static_cast<std::size_t>(period)];
  }
};

// A Config, or every field that is wrong. Field names are paths inside `config`
// ("minute", "redis.host"); unknown fields are errors.
std::variant<Config, FieldErrors> parse_config(const boost::json::object& json);

}  // namespace bazaar::gateway::rate_limiting
