#pragma once
// The request-transformer plugin's configuration, Kong 3.x fields
// (kong/plugins/request-transformer/schema.lua).
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <boost/json/object.hpp>

#include "chassis/core/field_error.hpp"
#include "gateway/plugins/request_transformer/template.hpp"

namespace bazaar::gateway::request_transformer {

// One "name:value" item. Kong splits at the first ':' and drops any further ones directly
// after it ("h2:value:2" -> h2 = "value:2", "a::b" -> a = "b"). For `remove` only the name
// counts; for `rename` the value is the new name.
struct Entry {
  std::string name;
  Template value;
};

struct Targets {
  std::vector<Entry> headers;
  std::vector<Entry> querystring;
  std::vector<Entry> body;
};

struct Config {
  std::optional<std::string> http_method;  // upper-case, e.g. "POST"
  Targets remove;
  Targets rename;
  Targets replace;
  std::optional<Template> replace_uri;  // replace.uri
  Targets add;
  Targets append;

  // Whether any template reads the request's headers or query, worked out by parse_config so
  // that requests copy them only when a template needs the originals.
  bool templates_read_headers = false;
  bool templates_read_query = false;
};

// A Config, or every field that is wrong ("add.headers[2]": 1-based, as Kong reports them).
// Unknown fields are errors; so are template expressions we do not support (template.hpp).
std::variant<Config, FieldErrors> parse_config(const boost::json::object& json);

}  // namespace bazaar::gateway::request_transformer
