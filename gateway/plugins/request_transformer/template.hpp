#pragma once
// Kong's request-transformer values are Penlight templates: text with `$(lua expression)`
// parts (kong/plugins/request-transformer/access.lua, pl/template.lua). Instead of running
// Lua we accept the expressions people actually write, checked when the config is loaded:
//
//   $(headers.x_api_key)   $(headers["x-api-key"])   (case-insensitive, '_' matches '-')
//   $(query_params.page)   $(query_params["page-size"])
//   $(uri_captures.user)   $(uri_captures["user"])   $(uri_captures[1])   ([0]: whole match)
//   $(consumer.id)   $(consumer.username)   $(consumer.custom_id)   (ours, not Kong's)
//   $('literal')   $(uri_captures.user or 'anonymous')   (Lua `or`: first one present)
//
// As in Kong, something absent renders as "" (Penlight's `tostring(expr or '')`), a flag
// query argument (`?debug`) renders as "true", and a `$(` without its `)` is plain text.
// Anything else (function calls, arithmetic, other globals) is rejected up front; Kong would
// compile it and answer 500 when it fails at run time.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "gateway/plugins/request.hpp"
#include "gateway/plugins/request_transformer/args.hpp"

namespace bazaar::gateway::request_transformer {

struct UriCaptures {
  std::vector<std::optional<std::string>> positional;  // [0] whole match, then groups
  std::map<std::string, std::string, std::less<>> named;
};

// What templates read: the request as the client sent it, before this plugin changed
// anything (Kong renders from the original headers and query, spec 36 "validate template
// will be rendered with old value of replaced header").
struct TemplateContext {
  std::vector<Header> headers;
  Args query_params;
  UriCaptures uri_captures;
  const Consumer* consumer = nullptr;  // must outlive the context
};

// (request_transformer::make_context fills one from a request, with what a config's templates
// read.)

class Template {
 public:
  // The compiled template, or why the source is not supported.
  static std::variant<Template, std::string> compile(std::string_view source);

  std::string render(const TemplateContext& context) const;
  const std::string& source() const { return source_; }

  // A reference such as `headers["x"]`: where to look and which key.
  struct Reference {
    enum class Root { headers, query_params, uri_captures, consumer } root;
    std::variant<std::string, long long> key;
  };
  using Operand = std::variant<std::string, Reference>;  // literal or reference
  using Expression = std::vector<Operand>;               // alternatives joined by `or`
  using Part = std::variant<std::string, Expression>;    // text or $(...)

  // Whether rendering looks anything up under `root`.
  bool reads(Reference::Root root) const;

 private:
  std::string source_;
  std::vector<Part> parts_;
};

}  // namespace bazaar::gateway::request_transformer
