#pragma once
// Kong's declarative configuration (format 3.0) after loading and validation: plain values
// with defaults filled in and every reference resolved to an index into `Declarative`.
// Field names and defaults follow Kong's entity schemas (kong/db/schema/entities/*.lua).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

namespace bazaar::gateway::config {

struct Service {
  std::optional<std::string> id;
  std::optional<std::string> name;
  std::string protocol = "http";  // http | https
  std::string host;               // a DNS name, an IP, or the name of an Upstream
  // Kong's schema default is 80 whatever the protocol; only the `url` shorthand picks 443
  // for https (kong/db/schema/entities/services.lua).
  std::uint16_t port = 80;
  std::optional<std::string> path;
  int retries = 5;
  int connect_timeout = 60000;  // milliseconds
  int write_timeout = 60000;
  int read_timeout = 60000;
  bool enabled = true;  // routes of a disabled service are not routable
  std::vector<std::string> tags;
  std::optional<std::size_t> upstream;  // index into Declarative::upstreams when host names one
};

enum class PathHandling { v0, v1 };

struct Route {
  std::optional<std::string> id;
  std::optional<std::string> name;
  std::optional<std::size_t> service;  // index into Declarative::services; Kong allows none
  std::vector<std::string> protocols = {"http", "https"};
  std::vector<std::string> methods;
  std::vector<std::string> hosts;  // "example.com", "*.example.com", "example.*", "a.com:8000"
  std::vector<std::string> paths;  // "/prefix" or "~/regex" (anchored at the start)
  // Header name as written in the file -> accepted values ("~*" prefix: case-insensitive regex).
  std::map<std::string, std::vector<std::string>> headers;
  int https_redirect_status_code = 426;
  int regex_priority = 0;
  bool strip_path = true;
  PathHandling path_handling = PathHandling::v0;
  bool preserve_host = false;
  bool request_buffering = true;
  bool response_buffering = true;
  std::vector<std::string> tags;
};

struct JwtSecret {
  std::optional<std::string> id;
  std::string key;     // generated (32 hex digits) when absent, as Kong does
  std::string secret;  // generated likewise when absent
  std::string algorithm = "HS256";
  std::optional<std::string> rsa_public_key;  // PEM; required for RS* and ES* algorithms
  std::vector<std::string> tags;
};

struct Consumer {
  std::optional<std::string> id;
  std::optional<std::string> username;  // at least one of username / custom_id is set
  std::optional<std::string> custom_id;
  std::vector<std::string> tags;
  std::vector<JwtSecret> jwt_secrets;
};

struct Target {
  std::optional<std::string> id;
  std::string target;  // "host:port" as Kong stores it (port defaults to 8000)
  std::string host;
  std::uint16_t port = 8000;
  int weight = 100;
  std::vector<std::string> tags;
};

// healthchecks.passive of Kong's upstream schema, with Kong's defaults (0 disables a counter).
struct PassiveHealthcheck {
  std::string type = "http";  // tcp | http | https
  struct Healthy {
    std::vector<int> http_statuses = {200, 201, 202, 203, 204, 205, 206, 207, 208, 226,
                                      300, 301, 302, 303, 304, 305, 306, 307, 308};
    int successes = 0;
  } healthy;
  struct Unhealthy {
    std::vector<int> http_statuses = {429, 500, 503};
    int tcp_failures = 0;
    int timeouts = 0;
    int http_failures = 0;
  } unhealthy;
};

struct Upstream {
  std::optional<std::string> id;
  std::string name;
  std::string algorithm = "round-robin";  // round-robin | consistent-hashing | least-connections
  int slots = 10000;
  std::optional<std::string> host_header;
  PassiveHealthcheck passive_healthcheck;
  std::vector<Target> targets;
  std::vector<std::string> tags;
};

// A plugin instance. Its scope is the combination of the set indices; none set = global.
struct Plugin {
  std::optional<std::string> id;
  std::string name;
  std::optional<std::string> instance_name;
  bool enabled = true;
  boost::json::object config;  // raw; each plugin validates and interprets its own
  std::vector<std::string> protocols = {"grpc", "grpcs", "http", "https"};
  std::vector<std::string> tags;
  std::optional<std::size_t> service;
  std::optional<std::size_t> route;
  std::optional<std::size_t> consumer;

  bool is_global() const { return !service && !route && !consumer; }
};

// Entities appear in file order; nested entities are placed where they appear in the file.
struct Declarative {
  std::string format_version;  // as written: "3.0", "2.1" or "1.1" (older ones are migrated)
  std::vector<Service> services;
  std::vector<Route> routes;
  std::vector<Consumer> consumers;
  std::vector<Upstream> upstreams;
  std::vector<Plugin> plugins;
};

}  // namespace bazaar::gateway::config
