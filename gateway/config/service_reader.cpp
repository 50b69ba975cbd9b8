#include <charconv>

#include "gateway/config/common_fields.hpp"
#include "gateway/config/entity_readers.hpp"
#include "gateway/config/kong_validators.hpp"
#include "gateway/config/service_url.hpp"

namespace bazaar::gateway::config {
namespace {

constexpr int kMaxTimeout = 2147483646;  // 2^31 - 2, Kong's nonzero_timeout

std::string checked_protocol(FieldReader& reader, const std::string& protocol,
                             std::string_view field) {
  if (protocol == "http" || protocol == "https") return protocol;
  for (std::string_view other :
       {"grpc", "grpcs", "tcp", "tls", "tls_passthrough", "udp", "ws", "wss"}) {
    if (protocol == other) {
      reader.fail(field, "protocol '" + protocol + "' is not supported by this gateway");
    }
  }
  reader.fail(field, "expected one of: http, https");
}

void apply_url(FieldReader& reader, Service& service) {
  auto url = reader.string("url");
  if (!url) return;
  auto parsed = parse_service_url(*url);
  if (!parsed) reader.fail("url", "could not parse url");
  // The shorthand overwrites the fields it expands to, as Kong's shorthands do.
  service.protocol = checked_protocol(reader, parsed->protocol, "url");
  if (!parsed->host) reader.fail("url", "missing host in url");
  service.host = *parsed->host;
  unsigned port = 0;
  auto [end, ec] =
      std::from_chars(parsed->port->data(), parsed->port->data() + parsed->port->size(), port);
  if (ec != std::errc{} || end != parsed->port->data() + parsed->port->size() || port > 65535) {
    reader.fail("url", "invalid port '" + *parsed->port + "'");
  }
  service.port = static_cast<std::uint16_t>(port);
  service.path = parsed->path;
}

}  // namespace

void read_service(const boost::json::value& value, const std::string& location,
                  DeclarativeDraft& draft) {
  FieldReader reader(value, "service at " + location);
  Service service;
  auto key = reader.peek_string("name");
  reader.relabel(entity_label("service", key ? key : reader.peek_string("id"), location));
  reader.expect_only({"id",
                      "created_at",
                      "updated_at",
                      "_comment",
                      "_ignore",
                      "name",
                      "protocol",
                      "host",
                      "port",
                      "path",
                      "url",
                      "retries",
                      "connect_timeout",
                      "write_timeout",
                      "read_timeout",
                      "enabled",
                      "tags",
                      "client_certificate",
                      "ca_certificates",
                      "tls_verify",
                      "tls_verify_depth",
                      "routes",
                      "plugins"});
  service.id = read_id_and_bookkeeping(reader);
  service.name = read_name(reader, "name");

  if (auto protocol = reader.string("protocol")) {
    service.protocol = checked_protocol(reader, *protocol, "protocol");
  }
  if (auto host = reader.string("host")) service.host = *host;
  if (auto port = reader.integer("port", 0, 65535))
    service.port = static_cast<std::uint16_t>(*port);
  service.path = reader.string("path");
  apply_url(reader, service);

  if (service.host.empty()) reader.fail("host", "required field missing");
  if (auto error = host_error(service.host)) reader.fail("host", *error);
  if (service.path) {
    if (auto error = service_path_error(*service.path)) reader.fail("path", *error);
  }
  if (auto retries = reader.integer("retries", 0, 32767))
    service.retries = static_cast<int>(*retries);
  for (auto [key, field] : {std::pair{"connect_timeout", &service.connect_timeout},
                            std::pair{"write_timeout", &service.write_timeout},
                            std::pair{"read_timeout", &service.read_timeout}}) {
    if (auto timeout = reader.integer(key, 1, kMaxTimeout)) *field = static_cast<int>(*timeout);
  }
  if (auto enabled = reader.boolean("enabled")) service.enabled = *enabled;
  service.tags = read_tags(reader);

  // Upstream TLS settings would change who we trust; refuse rather than silently ignore them.
  for (std::string_view unsupported : {"client_certificate", "ca_certificates", "tls_verify"}) {
    if (reader.take(unsupported) != nullptr)
      reader.fail(unsupported, "not supported by this gateway");
  }
  reader.ignore("tls_verify_depth");

  std::size_t index = draft.services.size();
  draft.services.push_back({std::move(service), reader.label()});
  Parent self{Parent::Kind::service, index, reader.label()};
  read_each(reader, "routes", location + ".",
            [&](const auto& v, const std::string& at) { read_route(v, at, self, draft); });
  read_each(reader, "plugins", location + ".",
            [&](const auto& v, const std::string& at) { read_plugin(v, at, self, draft); });
  reader.finish();
}

}  // namespace bazaar::gateway::config
