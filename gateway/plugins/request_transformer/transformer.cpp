#include "gateway/plugins/request_transformer/transformer.hpp"

#include <algorithm>

#include "gateway/plugins/request_transformer/transforms.hpp"
#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::request_transformer {

namespace {

bool transform_uri(const Config& config, Request& request, const TemplateContext& context,
                   std::string& error) {
  if (!config.replace_uri) return true;
  const std::string path = config.replace_uri->render(context);
  if (path.empty() || path.front() != '/') {
    // set_path raises "path must start with /".
    error = "[request-transformer] replace.uri rendered to '" + path + "', not a path";
    return false;
  }
  request.path = uri::escape_path(path);  // as kong.service.request.set_path does
  return true;
}

void transform_method(const Config& config, Request& request) {
  if (!config.http_method) return;
  request.method = *config.http_method;
  const std::string& method = *config.http_method;
  if (method != "GET" && method != "HEAD" && method != "TRACE") return;
  const auto content_type = first_value(request.headers, "content-type");
  if (!content_type) return;
  std::string lowered(*content_type);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; });
  if (lowered.find("application/x-www-form-urlencoded") == std::string::npos) return;
  // A form turned into a GET travels in the query string; the body is left as it was.
  const Args form = decode_args(request.body);
  if (form.empty()) return;
  Args query = decode_args(request.query);
  for (const Arg& field : form) {
    if (Arg* existing = find_arg(query, field.name)) {
      existing->values.insert(existing->values.end(), field.values.begin(), field.values.end());
    } else {
      query.push_back(field);
    }
  }
  request.query = encode_args(query, ArgOrder::sorted);
}

}  // namespace

TemplateContext make_context(const Config& config, const Request& request, UriCaptures captures,
                             const Consumer* consumer) {
  TemplateContext context;
  if (config.templates_read_headers) context.headers = request.headers;
  if (config.templates_read_query) context.query_params = decode_args(request.query);
  context.uri_captures = std::move(captures);
  context.consumer = consumer;
  return context;
}

Outcome apply(const Config& config, Request& request, const TemplateContext& context) {
  Outcome outcome;
  std::string error;
  if (!transform_uri(config, request, context, error)) {
    outcome.error = std::move(error);
    return outcome;
  }
  transform_method(config, request);
  transform_headers(config, request, context, outcome.upstream_host);
  if (!transform_body(config, request, context, outcome.body_changed, error)) {
    outcome.error = std::move(error);
    return outcome;
  }
  transform_querystring(config, request, context);
  return outcome;
}

}  // namespace bazaar::gateway::request_transformer
