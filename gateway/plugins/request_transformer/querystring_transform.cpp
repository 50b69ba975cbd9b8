// transform_querystrings in kong/plugins/request-transformer/access.lua.
#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

void transform_querystring(const Config& config, Request& request, const TemplateContext& context) {
  // Without query operations Kong leaves the query string exactly as the client sent it.
  if (config.remove.querystring.empty() && config.rename.querystring.empty() &&
      config.replace.querystring.empty() && config.add.querystring.empty() &&
      config.append.querystring.empty()) {
    return;
  }
  Args args = decode_args(request.query);

  for (const Entry& entry : config.remove.querystring) erase_arg(args, entry.name);
  for (const Entry& entry : config.rename.querystring) {
    if (auto new_name = render_value(entry, context)) rename_arg(args, entry.name, *new_name);
  }
  for (const Entry& entry : config.replace.querystring) {
    auto value = render_value(entry, context);
    Arg* arg = find_arg(args, entry.name);
    if (value && arg != nullptr) arg->values = {*std::move(value)};
  }
  for (const Entry& entry : config.add.querystring) {
    auto value = render_value(entry, context);
    if (value && find_arg(args, entry.name) == nullptr) {
      args.push_back(Arg{entry.name, {*std::move(value)}});
    }
  }
  for (const Entry& entry : config.append.querystring) {
    if (auto value = render_value(entry, context)) append_arg(args, entry.name, *std::move(value));
  }
  // kong.service.request.set_query writes the names in lexicographic order.
  request.query = encode_args(args, ArgOrder::sorted);
}

}  // namespace bazaar::gateway::request_transformer
