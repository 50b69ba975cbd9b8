#include <algorithm>
#include <cctype>

#include "gateway/config/common_fields.hpp"
#include "gateway/config/config_error.hpp"
#include "gateway/config/entity_readers.hpp"
#include "gateway/config/kong_validators.hpp"
#include "gateway/config/legacy_path.hpp"
#include "gateway/config/route_regex.hpp"

namespace bazaar::gateway::config {
namespace {

bool contains(const std::vector<std::string>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> read_protocols(FieldReader& reader) {
  auto protocols = reader.strings("protocols");
  if (!protocols) return {"http", "https"};
  if (protocols->empty()) reader.fail("protocols", "length must be at least 1");
  for (std::size_t i = 0; i < protocols->size(); ++i) {
    const auto& protocol = (*protocols)[i];
    if (protocol != "http" && protocol != "https") {
      reader.fail("protocols[" + std::to_string(i) + "]",
                  "protocol '" + protocol + "' is not supported by this gateway");
    }
  }
  return *protocols;
}

std::vector<std::string> read_methods(FieldReader& reader) {
  auto methods = reader.strings("methods").value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < methods.size(); ++i) {
    bool upper = !methods[i].empty() && std::all_of(methods[i].begin(), methods[i].end(),
                                                    [](char c) { return c >= 'A' && c <= 'Z'; });
    if (!upper) {
      reader.fail("methods[" + std::to_string(i) + "]",
                  "invalid value '" + methods[i] + "': must be uppercase letters only");
    }
  }
  return methods;
}

std::vector<std::string> read_hosts(FieldReader& reader) {
  auto hosts = reader.strings("hosts").value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    if (auto error = route_host_error(hosts[i])) {
      reader.fail("hosts[" + std::to_string(i) + "]", *error);
    }
  }
  return hosts;
}

std::vector<std::string> read_paths(FieldReader& reader, bool legacy) {
  auto paths = reader.strings("paths").value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < paths.size(); ++i) {
    if (legacy) paths[i] = migrate_legacy_path(paths[i]);
    if (auto error = router_path_error(paths[i])) {
      reader.fail("paths[" + std::to_string(i) + "]", *error);
    }
  }
  return paths;
}

std::map<std::string, std::vector<std::string>> read_headers(FieldReader& reader) {
  std::map<std::string, std::vector<std::string>> headers;
  const auto* object = reader.object("headers");
  if (object == nullptr) return headers;
  for (const auto& [name_view, values] : *object) {
    std::string name(name_view);
    std::string field = "headers." + name;
    if (auto error = header_name_error(name)) reader.fail(field, *error);
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "host") {
      reader.fail(field,
                  "cannot contain 'host' header, which must be specified in the 'hosts' "
                  "attribute");
    }
    if (!values.is_array()) reader.fail(field, "expected an array");
    auto& accepted = headers[name];
    for (const auto& value : values.as_array()) {
      if (!value.is_string()) reader.fail(field, "expected a string");
      std::string text(value.as_string());
      if (text.starts_with("~*")) {
        // Kong lower-cases the whole value, regex included, before handing it to the router.
        std::string pattern = text.substr(2);
        std::transform(pattern.begin(), pattern.end(), pattern.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        if (auto error = regex_error(pattern)) {
          reader.fail(field, "invalid regex: '" + text.substr(2) + "' (" + *error + ")");
        }
      }
      accepted.push_back(std::move(text));
    }
  }
  return headers;
}

// Stream and TLS matching has no meaning for this HTTP-only gateway; empty lists are harmless.
void reject_stream_fields(FieldReader& reader) {
  for (std::string_view key : {"snis", "sources", "destinations"}) {
    const auto* value = reader.take(key);
    if (value != nullptr && !(value->is_array() && value->as_array().empty())) {
      reader.fail(key, "not supported by this gateway");
    }
  }
}

}  // namespace

void read_route(const boost::json::value& value, const std::string& location, const Parent& parent,
                DeclarativeDraft& draft) {
  FieldReader reader(value, "route at " + location);
  RouteDraft out;
  Route& route = out.route;
  auto key = reader.peek_string("name");
  reader.relabel(entity_label("route", key ? key : reader.peek_string("id"), location));
  reader.expect_only({"id",
                      "created_at",
                      "updated_at",
                      "_comment",
                      "_ignore",
                      "name",
                      "protocols",
                      "methods",
                      "hosts",
                      "paths",
                      "headers",
                      "https_redirect_status_code",
                      "regex_priority",
                      "strip_path",
                      "path_handling",
                      "preserve_host",
                      "request_buffering",
                      "response_buffering",
                      "snis",
                      "sources",
                      "destinations",
                      "tags",
                      "service",
                      "plugins"});
  route.id = read_id_and_bookkeeping(reader);
  route.name = read_name(reader, "name");

  route.protocols = read_protocols(reader);
  route.methods = read_methods(reader);
  route.hosts = read_hosts(reader);
  route.paths = read_paths(reader, draft.legacy_paths);
  route.headers = read_headers(reader);
  reject_stream_fields(reader);
  if (route.methods.empty() && route.hosts.empty() && route.headers.empty() &&
      route.paths.empty()) {
    std::string protocol = contains(route.protocols, "https") ? "https" : "http";
    throw ConfigError(reader.label() + ": must set one of 'methods', 'hosts', 'headers', " +
                      "'paths' when 'protocols' is '" + protocol + "'");
  }

  if (auto code = reader.integer("https_redirect_status_code", 0, 999)) {
    if (*code != 426 && *code != 301 && *code != 302 && *code != 307 && *code != 308) {
      reader.fail("https_redirect_status_code", "expected one of: 426, 301, 302, 307, 308");
    }
    route.https_redirect_status_code = static_cast<int>(*code);
  }
  if (auto priority = reader.integer("regex_priority", INT32_MIN, INT32_MAX)) {
    route.regex_priority = static_cast<int>(*priority);
  }
  if (auto strip = reader.boolean("strip_path")) route.strip_path = *strip;
  if (auto handling = reader.string("path_handling")) {
    if (*handling != "v0" && *handling != "v1")
      reader.fail("path_handling", "expected one of: v0, v1");
    route.path_handling = *handling == "v1" ? PathHandling::v1 : PathHandling::v0;
  }
  if (auto preserve = reader.boolean("preserve_host")) route.preserve_host = *preserve;
  if (auto buffering = reader.boolean("request_buffering")) route.request_buffering = *buffering;
  if (auto buffering = reader.boolean("response_buffering")) route.response_buffering = *buffering;
  route.tags = read_tags(reader);

  if (parent.kind == Parent::Kind::service) {
    forbid_reference(reader, "service", parent.label);
    out.parent_service = parent.index;
  } else {
    out.service_ref = read_reference(reader, "service");
  }

  std::size_t index = draft.routes.size();
  out.label = reader.label();
  draft.routes.push_back(std::move(out));
  Parent self{Parent::Kind::route, index, reader.label()};
  read_each(reader, "plugins", location + ".",
            [&](const auto& v, const std::string& at) { read_plugin(v, at, self, draft); });
  reader.finish();
}

}  // namespace bazaar::gateway::config
