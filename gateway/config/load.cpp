#include "gateway/config/load.hpp"

#include <fstream>
#include <sstream>

#include "gateway/config/entity_readers.hpp"
#include "gateway/config/field_reader.hpp"
#include "gateway/config/resolve_references.hpp"
#include "gateway/config/yaml_to_json.hpp"

namespace bazaar::gateway::config {
namespace {

// Kong entities that this gateway does not implement: named so the error says why.
constexpr std::string_view kUnsupportedEntities[] = {"certificates",
                                                     "ca_certificates",
                                                     "snis",
                                                     "vaults",
                                                     "keys",
                                                     "key_sets",
                                                     "filter_chains",
                                                     "keyauth_credentials",
                                                     "basicauth_credentials",
                                                     "hmacauth_credentials",
                                                     "oauth2_credentials",
                                                     "acls",
                                                     "parameters",
                                                     "workspaces",
                                                     "clustering_data_planes"};

void read_format_version(FieldReader& reader, DeclarativeDraft& draft) {
  auto version = reader.string("_format_version");
  if (!version) reader.fail("_format_version", "required field missing");
  // kong/db/schema/others/declarative_config.lua: one_of = {"1.1", "2.1", "3.0"}.
  if (*version != "3.0" && *version != "2.1" && *version != "1.1") {
    reader.fail("_format_version", "expected one of: 1.1, 2.1, 3.0 (got '" + *version + "')");
  }
  draft.format_version = *version;
  draft.legacy_paths = *version != "3.0";
}

}  // namespace

Declarative parse_declarative(std::string_view text, const PluginValidator& validate) {
  boost::json::value root = yaml_to_json(text);
  if (!root.is_object()) throw ConfigError("declarative config: expected an object at the top");
  FieldReader reader(root, "declarative config");
  for (const auto& entry : root.as_object()) {
    for (auto entity : kUnsupportedEntities) {
      if (entry.key() == entity) {
        reader.fail(entity, "these entities are not supported by this gateway");
      }
    }
  }
  reader.expect_only({"_format_version", "_transform", "_comment", "_ignore", "services", "routes",
                      "consumers", "jwt_secrets", "upstreams", "targets", "plugins"});

  DeclarativeDraft draft;
  read_format_version(reader, draft);
  reader.boolean("_transform");
  reader.string("_comment");
  reader.array("_ignore");

  const Parent top_level;
  // Document order, so that "created earlier" means "written earlier" for the router.
  for (const auto& entry : root.as_object()) {
    std::string_view key = entry.key();
    auto each = [&](auto read) { read_each(reader, key, "", read); };
    if (key == "services") {
      each([&](const auto& v, const std::string& at) { read_service(v, at, draft); });
    } else if (key == "routes") {
      each([&](const auto& v, const std::string& at) { read_route(v, at, top_level, draft); });
    } else if (key == "consumers") {
      each([&](const auto& v, const std::string& at) { read_consumer(v, at, draft); });
    } else if (key == "jwt_secrets") {
      each([&](const auto& v, const std::string& at) { read_jwt_secret(v, at, top_level, draft); });
    } else if (key == "upstreams") {
      each([&](const auto& v, const std::string& at) { read_upstream(v, at, draft); });
    } else if (key == "targets") {
      each([&](const auto& v, const std::string& at) { read_target(v, at, top_level, draft); });
    } else if (key == "plugins") {
      each([&](const auto& v, const std::string& at) { read_plugin(v, at, top_level, draft); });
    }
  }
  reader.finish();
  return resolve_references(std::move(draft), validate);
}

Declarative load_declarative_file(const std::string& path, const PluginValidator& validate) {
  std::ifstream file(path, std::ios::binary);
  if (!file) throw ConfigError("cannot read declarative config '" + path + "'");
  std::ostringstream text;
  text << file.rdbuf();
  if (file.bad()) throw ConfigError("cannot read declarative config '" + path + "'");
  return parse_declarative(text.str(), validate);
}

}  // namespace bazaar::gateway::config
