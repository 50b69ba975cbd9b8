#include "gateway/config/common_fields.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/config/entity_readers.hpp"

namespace bazaar::gateway::config {
namespace {

constexpr std::string_view kProtocols[] = {"grpc", "grpcs",           "http", "https", "tcp",
                                           "tls",  "tls_passthrough", "udp",  "ws",    "wss"};

std::vector<std::string> read_plugin_protocols(FieldReader& reader) {
  auto protocols = reader.strings("protocols");
  if (!protocols) return {"grpc", "grpcs", "http", "https"};
  for (std::size_t i = 0; i < protocols->size(); ++i) {
    bool known = false;
    for (auto protocol : kProtocols) known = known || protocol == (*protocols)[i];
    if (!known) {
      reader.fail("protocols[" + std::to_string(i) + "]",
                  "expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp, "
                  "ws, wss");
    }
  }
  return *protocols;
}

}  // namespace

void read_plugin(const boost::json::value& value, const std::string& location, const Parent& parent,
                 DeclarativeDraft& draft) {
  FieldReader reader(value, "plugin at " + location);
  PluginDraft out;
  Plugin& plugin = out.plugin;
  auto name = reader.peek_string("name");
  if (name) {
    reader.relabel("plugin '" + *name + "'" +
                   (parent.kind == Parent::Kind::none ? " at " + location : " on " + parent.label));
  }
  reader.expect_only({"id", "created_at", "updated_at", "_comment", "_ignore", "name",
                      "instance_name", "config", "enabled", "protocols", "tags", "service", "route",
                      "consumer"});
  plugin.id = read_id_and_bookkeeping(reader);
  name = reader.string("name");
  if (!name || name->empty()) reader.fail("name", "required field missing");
  plugin.name = *name;
  plugin.instance_name = read_name(reader, "instance_name");
  if (const auto* config = reader.object("config")) plugin.config = *config;
  if (auto enabled = reader.boolean("enabled")) plugin.enabled = *enabled;
  plugin.protocols = read_plugin_protocols(reader);
  plugin.tags = read_tags(reader);

  // Kong's nested records carry no foreign keys at all (copy_record in
  // kong/db/schema/others/declarative_config.lua): the parent is the whole scope.
  if (parent.kind == Parent::Kind::none) {
    out.service_ref = read_reference(reader, "service");
    out.route_ref = read_reference(reader, "route");
    out.consumer_ref = read_reference(reader, "consumer");
  } else {
    for (std::string_view key : {"service", "route", "consumer"}) {
      forbid_reference(reader, key, parent.label);
    }
    if (parent.kind == Parent::Kind::service) out.parent_service = parent.index;
    if (parent.kind == Parent::Kind::route) out.parent_route = parent.index;
    if (parent.kind == Parent::Kind::consumer) out.parent_consumer = parent.index;
  }
  reader.finish();
  out.label = reader.label();
  draft.plugins.push_back(std::move(out));
}

}  // namespace bazaar::gateway::config
