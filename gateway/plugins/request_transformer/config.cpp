#include "gateway/plugins/request_transformer/config.hpp"

#include <string_view>

#include "gateway/plugins/header_name.hpp"
#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

namespace {

namespace json = boost::json;

enum class Kind {
  names,    // remove: "name" (anything after ':' ignored)
  renames,  // rename: "old:new"
  values,   // replace/add/append: "name:value" (value optional only for headers)
};

bool is_header_value(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

class Parser {
 public:
  explicit Parser(FieldErrors& errors) : errors_(errors) {}

  void fail(std::string field, std::string reason) {
    errors_.push_back({std::move(field), std::move(reason)});
  }

  // Kong's `^([^:]+):*(.-)$`.
  std::optional<std::pair<std::string, std::string>> split(const std::string& field,
                                                           std::string_view entry) {
    const std::size_t colon = entry.find(':');
    if (entry.empty() || colon == 0) {
      fail(field, "'" + std::string(entry) + "' has no name before ':'");
      return std::nullopt;
    }
    if (colon == std::string_view::npos) return std::pair{std::string(entry), std::string()};
    std::size_t value_start = colon;
    while (value_start < entry.size() && entry[value_start] == ':') ++value_start;
    return std::pair{std::string(entry.substr(0, colon)), std::string(entry.substr(value_start))};
  }

  std::optional<Template> compile(const std::string& field, const std::string& value) {
    auto compiled = Template::compile(value);
    if (auto* error = std::get_if<std::string>(&compiled)) {
      fail(field, "value '" + value + "' is not in supported format, error:" + *error);
      return std::nullopt;
    }
    return std::get<Template>(std::move(compiled));
  }

  void parse_entries(const json::value& value, const std::string& field, Kind kind, bool headers,
                     std::vector<Entry>& out) {
    if (!value.is_array()) {
      fail(field, "expected an array");
      return;
    }
    std::size_t index = 0;
    for (const json::value& element : value.get_array()) {
      const std::string element_field = field + "[" + std::to_string(++index) + "]";
      if (!element.is_string()) {
        fail(element_field, "expected a string");
        continue;
      }
      const std::string_view text = element.get_string();
      auto pair = split(element_field, text);
      if (!pair) continue;
      auto& [name, value_text] = *pair;
      if (headers && !is_header_name(name)) {
        fail(element_field, "'" + name + "' is not a valid header");
        continue;
      }
      if (kind == Kind::names) {
        out.push_back(Entry{std::move(name), Template{}});
        continue;
      }
      if (value_text.empty() && (kind == Kind::renames || !headers)) {
        // Headers in add/replace/append may have an empty value (and then do nothing).
        fail(element_field, "key '" + name + "' has no value");
        continue;
      }
      if (headers && text.find(':') == std::string_view::npos) {
        fail(element_field, "invalid value: " + std::string(text));
        continue;
      }
      if (headers && kind == Kind::renames && !is_header_name(value_text)) {
        fail(element_field, "'" + value_text + "' is not a valid header");
        continue;
      }
      if (headers && !is_header_value(value_text)) {
        fail(element_field, "'" + value_text + "' is not a valid header");
        continue;
      }
      auto compiled = compile(element_field, value_text);
      if (!compiled) continue;
      out.push_back(Entry{std::move(name), *std::move(compiled)});
    }
  }

  void parse_targets(const json::value* value, const std::string& field, Kind kind,
                     Targets& targets, std::optional<Template>* uri) {
    if (value == nullptr || value->is_null()) return;
    if (!value->is_object()) {
      fail(field, "expected a record");
      return;
    }
    for (const auto& [key, element] : value->get_object()) {
      const std::string element_field = field + "." + std::string(key);
      if (element.is_null()) continue;
      if (key == "headers") {
        parse_entries(element, element_field, kind, true, targets.headers);
      } else if (key == "querystring") {
        parse_entries(element, element_field, kind, false, targets.querystring);
      } else if (key == "body") {
        parse_entries(element, element_field, kind, false, targets.body);
      } else if (key == "uri" && uri != nullptr) {
        if (!element.is_string()) {
          fail(element_field, "expected a string");
        } else if (auto compiled = compile(element_field, std::string(element.get_string()))) {
          *uri = *std::move(compiled);
        }
      } else {
        fail(element_field, "unknown field");
      }
    }
  }

 private:
  FieldErrors& errors_;
};

bool is_upper_word(std::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (c < 'A' || c > 'Z') return false;
  }
  return true;
}

bool any_template_reads(const Config& config, Template::Reference::Root root) {
  const auto in = [root](const Targets& targets) {
    for (const auto* entries : {&targets.headers, &targets.querystring, &targets.body}) {
      for (const Entry& entry : *entries) {
        if (entry.value.reads(root)) return true;
      }
    }
    return false;
  };
  return in(config.remove) || in(config.rename) || in(config.replace) || in(config.add) ||
         in(config.append) || (config.replace_uri && config.replace_uri->reads(root));
}

}  // namespace

std::variant<Config, FieldErrors> parse_config(const boost::json::object& json) {
  Config config;
  FieldErrors errors;
  Parser parser(errors);
  for (const auto& [key, value] : json) {
    if (key == "http_method") {
      if (value.is_null()) continue;
      if (!value.is_string() || !is_upper_word(value.get_string())) {
        parser.fail("http_method", "invalid value: expected an upper-case method such as POST");
      } else {
        config.http_method = std::string(value.get_string());
      }
    } else if (key == "remove") {
      parser.parse_targets(&value, "remove", Kind::names, config.remove, nullptr);
    } else if (key == "rename") {
      parser.parse_targets(&value, "rename", Kind::renames, config.rename, nullptr);
    } else if (key == "replace") {
      parser.parse_targets(&value, "replace", Kind::values, config.replace, &config.replace_uri);
    } else if (key == "add") {
      parser.parse_targets(&value, "add", Kind::values, config.add, nullptr);
    } else if (key == "append") {
      parser.parse_targets(&value, "append", Kind::values, config.append, nullptr);
    } else {
      parser.fail(std::string(key), "unknown field");
    }
  }
  // Kong accepts this but then fails every request: appending makes Host a list, which it
  // cannot give nginx as the upstream host. Said once here rather than as a 500 per request.
  for (std::size_t i = 0; i < config.append.headers.size(); ++i) {
    if (iequals(config.append.headers[i].name, "host")) {
      parser.fail("append.headers[" + std::to_string(i + 1) + "]",
                  "cannot append to host; use replace.headers");
    }
  }
  if (!errors.empty()) return errors;
  config.templates_read_headers = any_template_reads(config, Template::Reference::Root::headers);
  config.templates_read_query = any_template_reads(config, Template::Reference::Root::query_params);
  return config;
}

}  // namespace bazaar::gateway::request_transformer
