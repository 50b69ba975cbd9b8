#include "gateway/config/common_fields.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/config/entity_readers.hpp"
#include "gateway/config/kong_validators.hpp"

namespace bazaar::gateway::config {
namespace {

constexpr std::int64_t kMaxCounter = 2147483648;  // 2^31, Kong's positive_int_or_zero

std::string read_check_type(FieldReader& reader) {
  auto type = reader.string("type").value_or("http");
  if (type != "tcp" && type != "http" && type != "https") {
    reader.fail("type", "expected one of: tcp, http, https");
  }
  return type;
}

PassiveHealthcheck read_passive(const boost::json::value& value, const std::string& label) {
  PassiveHealthcheck passive;
  FieldReader reader(value, label + ": healthchecks.passive");
  reader.expect_only({"type", "healthy", "unhealthy"});
  passive.type = read_check_type(reader);
  if (const auto* healthy = reader.take("healthy")) {
    FieldReader h(*healthy, label + ": healthchecks.passive.healthy");
    h.expect_only({"http_statuses", "successes"});
    if (auto statuses = h.integers("http_statuses", 100, 999)) {
      passive.healthy.http_statuses = *statuses;
    }
    if (auto n = h.integer("successes", 0, kMaxCounter))
      passive.healthy.successes = static_cast<int>(*n);
    h.finish();
  }
  if (const auto* unhealthy = reader.take("unhealthy")) {
    FieldReader u(*unhealthy, label + ": healthchecks.passive.unhealthy");
    u.expect_only({"http_statuses", "tcp_failures", "timeouts", "http_failures"});
    if (auto statuses = u.integers("http_statuses", 100, 999)) {
      passive.unhealthy.http_statuses = *statuses;
    }
    for (auto [key, field] : {std::pair{"tcp_failures", &passive.unhealthy.tcp_failures},
                              std::pair{"timeouts", &passive.unhealthy.timeouts},
                              std::pair{"http_failures", &passive.unhealthy.http_failures}}) {
      if (auto n = u.integer(key, 0, kMaxCounter)) *field = static_cast<int>(*n);
    }
    u.finish();
  }
  reader.finish();
  return passive;
}

void read_healthchecks(FieldReader& reader, Upstream& upstream) {
  const auto* value = reader.take("healthchecks");
  if (value == nullptr) return;
  FieldReader checks(*value, reader.label() + ": healthchecks");
  checks.expect_only({"active", "passive", "threshold"});
  // Active probing is the proxy's business and not implemented; its settings are accepted
  // so Kong files load, but only the passive (circuit-breaker) part is modelled.
  checks.object("active");
  checks.take("threshold");
  if (const auto* passive = checks.take("passive")) {
    upstream.passive_healthcheck = read_passive(*passive, reader.label());
  }
  checks.finish();
}

}  // namespace

void read_upstream(const boost::json::value& value, const std::string& location,
                   DeclarativeDraft& draft) {
  FieldReader reader(value, "upstream at " + location);
  Upstream upstream;
  auto label_name = reader.peek_string("name");
  reader.relabel(
      entity_label("upstream", label_name ? label_name : reader.peek_string("id"), location));
  reader.expect_only({"id",
                      "created_at",
                      "updated_at",
                      "_comment",
                      "_ignore",
                      "name",
                      "algorithm",
                      "hash_on",
                      "hash_fallback",
                      "hash_on_header",
                      "hash_fallback_header",
                      "hash_on_cookie",
                      "hash_on_cookie_path",
                      "hash_on_query_arg",
                      "hash_fallback_query_arg",
                      "hash_on_uri_capture",
                      "hash_fallback_uri_capture",
                      "slots",
                      "healthchecks",
                      "tags",
                      "host_header",
                      "client_certificate",
                      "use_srv_name",
                      "targets"});
  upstream.id = read_id_and_bookkeeping(reader);
  auto name = reader.string("name");
  if (!name) reader.fail("name", "required field missing");
  auto parsed = parse_host_port(*name);
  if (!parsed) reader.fail("name", "Invalid name; must be a valid hostname");
  if (parsed->is_ip) reader.fail("name", "Invalid name; no ip addresses allowed");
  if (parsed->port) reader.fail("name", "Invalid name; no port allowed");
  upstream.name = *name;

  if (auto algorithm = reader.string("algorithm")) {
    if (*algorithm != "round-robin" && *algorithm != "consistent-hashing" &&
        *algorithm != "least-connections") {
      reader.fail("algorithm",
                  "expected one of: consistent-hashing, least-connections, round-robin");
    }
    upstream.algorithm = *algorithm;
  }
  // The hash_* settings only steer consistent-hashing, which the proxy implements (or not)
  // on its own; they are accepted as Kong accepts them.
  for (std::string_view key :
       {"hash_on", "hash_fallback", "hash_on_header", "hash_fallback_header", "hash_on_cookie",
        "hash_on_cookie_path", "hash_on_query_arg", "hash_fallback_query_arg",
        "hash_on_uri_capture", "hash_fallback_uri_capture"}) {
    reader.string(key);
  }
  if (auto slots = reader.integer("slots", 10, 65536)) upstream.slots = static_cast<int>(*slots);
  upstream.host_header = reader.string("host_header");
  if (upstream.host_header) {
    if (auto error = host_error(*upstream.host_header)) reader.fail("host_header", *error);
  }
  if (reader.take("client_certificate") != nullptr) {
    reader.fail("client_certificate", "not supported by this gateway");
  }
  reader.boolean("use_srv_name");
  read_healthchecks(reader, upstream);
  upstream.tags = read_tags(reader);

  std::size_t index = draft.upstreams.size();
  draft.upstreams.push_back({std::move(upstream), reader.label()});
  Parent self{Parent::Kind::upstream, index, reader.label()};
  read_each(reader, "targets", location + ".",
            [&](const auto& v, const std::string& at) { read_target(v, at, self, draft); });
  reader.finish();
}

void read_target(const boost::json::value& value, const std::string& location, const Parent& parent,
                 DeclarativeDraft& draft) {
  FieldReader reader(value, "target at " + location);
  TargetDraft out;
  Target& target = out.target;
  auto label_text = reader.peek_string("target");
  reader.relabel(
      entity_label("target", label_text ? label_text : reader.peek_string("id"), location));
  reader.expect_only({"id", "created_at", "updated_at", "_comment", "_ignore", "upstream", "target",
                      "weight", "tags"});
  target.id = read_id_and_bookkeeping(reader);
  auto text = reader.string("target");
  if (!text) reader.fail("target", "required field missing");
  auto parsed = parse_host_port(*text);
  if (!parsed) {
    reader.fail("target", "Invalid target ('" + *text + "'); not a valid hostname or ip address");
  }
  // Kong stores targets with an explicit port, 8000 when none is given (kong/db/dao/targets.lua).
  target.host = parsed->host;
  target.port = parsed->port.value_or(8000);
  bool ipv6 = parsed->host.find(':') != std::string::npos;
  target.target =
      (ipv6 ? "[" + target.host + "]" : target.host) + ":" + std::to_string(target.port);
  if (auto weight = reader.integer("weight", 0, 65535)) target.weight = static_cast<int>(*weight);
  target.tags = read_tags(reader);

  if (parent.kind == Parent::Kind::upstream) {
    forbid_reference(reader, "upstream", parent.label);
    out.parent_upstream = parent.index;
  } else {
    out.upstream_ref = read_reference(reader, "upstream");
    if (!out.upstream_ref) reader.fail("upstream", "required field missing");
  }
  reader.finish();
  out.label = reader.label();
  draft.targets.push_back(std::move(out));
}

}  // namespace bazaar::gateway::config
