// transform_body, transform_json_body and transform_url_encoded_body in
// kong/plugins/request-transformer/access.lua. multipart/form-data bodies are left alone.
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

namespace {

namespace json = boost::json;

enum class BodyType { none, json, multipart, urlencoded };

// Kong looks for these anywhere in the lower-cased Content-Type, JSON first.
BodyType body_type(const std::vector<Header>& headers) {
  const auto content_type = first_value(headers, "content-type");
  if (!content_type) return BodyType::none;
  std::string lowered(*content_type);
  for (char& c : lowered) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  if (lowered.find("application/json") != std::string::npos) return BodyType::json;
  if (lowered.find("multipart/form-data") != std::string::npos) return BodyType::multipart;
  if (lowered.find("application/x-www-form-urlencoded") != std::string::npos) {
    return BodyType::urlencoded;
  }
  return BodyType::none;
}

// Lua truthiness of parameters[name]: absent and `false` are false; JSON null (cjson.null)
// is true.
bool truthy(const json::value* value) {
  return value != nullptr && !(value->is_bool() && !value->get_bool());
}

// Lua's append_value on a decoded JSON value.
void append_json(json::object& object, const std::string& name, std::string value) {
  json::value* current = object.if_contains(name);
  if (current != nullptr && current->is_string()) {
    *current = json::array{*current, json::value(value)};
  } else if (current != nullptr && current->is_array()) {
    current->get_array().emplace_back(value);
  } else if (current != nullptr && current->is_object()) {
    // table.insert on a Lua table without array part sets [1]; cjson writes it as "1".
    current->get_object()["1"] = value;
  } else {
    object[name] = json::array{json::value(value)};  // anything else is replaced
  }
}

bool transform_json(const Config& config, Request& request, const TemplateContext& context,
                    bool& changed, std::string& error) {
  const bool has_content = !request.body.empty();
  json::object parameters;
  if (has_content) {
    std::error_code ec;
    json::value parsed = json::parse(request.body, ec);
    if (ec || parsed.is_array()) return true;  // not an object we can edit: left as sent
    if (!parsed.is_object()) {
      error = "[request-transformer] JSON body is not an object";
      return false;  // Kong indexes the scalar and fails
    }
    parameters = std::move(parsed.get_object());
  }

  bool touched = false;
  // remove, rename and replace need a body to work on; add and append can create one.
  if (has_content) {
    for (const Entry& entry : config.remove.body) {
      parameters.erase(entry.name);
      touched = true;
    }
    for (const Entry& entry : config.rename.body) {
      auto new_name = render_value(entry, context);
      if (!new_name || *new_name == entry.name) continue;
      json::value* value = parameters.if_contains(entry.name);
      if (!truthy(value)) continue;
      json::value moved = std::move(*value);
      parameters.erase(entry.name);
      parameters[*new_name] = std::move(moved);
      touched = true;
    }
    for (const Entry& entry : config.replace.body) {
      auto value = render_value(entry, context);
      if (!value || !truthy(parameters.if_contains(entry.name))) continue;
      parameters[entry.name] = *value;
      touched = true;
    }
  }
  for (const Entry& entry : config.add.body) {
    auto value = render_value(entry, context);
    if (!value || truthy(parameters.if_contains(entry.name))) continue;
    parameters[entry.name] = *value;
    touched = true;
  }
  for (const Entry& entry : config.append.body) {
    if (auto value = render_value(entry, context)) {
      append_json(parameters, entry.name, *std::move(value));
      touched = true;
    }
  }
  if (touched) {
    request.body = json::serialize(parameters);
    changed = true;
  }
  return true;
}

void transform_urlencoded(const Config& config, Request& request, const TemplateContext& context,
                          bool& changed) {
  const bool has_content = !request.body.empty();
  Args parameters = decode_args(request.body);
  bool touched = false;
  if (has_content) {
    for (const Entry& entry : config.remove.body) {
      erase_arg(parameters, entry.name);
      touched = true;
    }
    for (const Entry& entry : config.rename.body) {
      if (auto new_name = render_value(entry, context)) {
        touched = rename_arg(parameters, entry.name, *new_name) || touched;
      }
    }
    for (const Entry& entry : config.replace.body) {
      auto value = render_value(entry, context);
      Arg* arg = find_arg(parameters, entry.name);
      if (!value || arg == nullptr) continue;
      arg->values = {*std::move(value)};
      touched = true;
    }
  }
  for (const Entry& entry : config.add.body) {
    auto value = render_value(entry, context);
    if (!value || find_arg(parameters, entry.name) != nullptr) continue;
    parameters.push_back(Arg{entry.name, {*std::move(value)}});
    touched = true;
  }
  for (const Entry& entry : config.append.body) {
    if (auto value = render_value(entry, context)) {
      append_arg(parameters, entry.name, *std::move(value));
      touched = true;
    }
  }
  if (touched) {
    request.body = encode_args(parameters, ArgOrder::as_is);
    changed = true;
  }
}

}  // namespace

bool transform_body(const Config& config, Request& request, const TemplateContext& context,
                    bool& changed, std::string& error) {
  if (config.remove.body.empty() && config.rename.body.empty() && config.replace.body.empty() &&
      config.add.body.empty() && config.append.body.empty()) {
    return true;
  }
  // Read after the header step, so a Content-Type added by this plugin counts (Kong spec:
  // "changes the HTTP method from GET to POST and adds JSON body").
  switch (body_type(request.headers)) {
    case BodyType::json:
      return transform_json(config, request, context, changed, error);
    case BodyType::urlencoded:
      transform_urlencoded(config, request, context, changed);
      return true;
    case BodyType::multipart:
    case BodyType::none:
      return true;
  }
  return true;
}

}  // namespace bazaar::gateway::request_transformer
