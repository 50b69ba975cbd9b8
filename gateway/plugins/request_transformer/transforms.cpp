// Helpers shared by the transform steps: Lua table semantics on headers and args.
#include <algorithm>

#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

std::optional<std::string> render_value(const Entry& entry, const TemplateContext& context) {
  if (entry.value.source().empty()) return std::nullopt;
  return entry.value.render(context);
}

bool rename_arg(Args& args, const std::string& old_name, const std::string& new_name) {
  if (old_name == new_name) return false;
  Arg* old_arg = find_arg(args, old_name);
  if (old_arg == nullptr) return false;
  std::vector<ArgValue> values = std::move(old_arg->values);
  erase_arg(args, new_name);
  old_arg = find_arg(args, old_name);
  old_arg->name = new_name;
  old_arg->values = std::move(values);
  return true;
}

void append_arg(Args& args, const std::string& name, std::string value) {
  Arg* arg = find_arg(args, name);
  if (arg == nullptr) {
    args.push_back(Arg{name, {std::move(value)}});
  } else if (arg->values.size() == 1 && !arg->values.front()) {
    arg->values = {std::move(value)};  // append_value(true, v) is {v}
  } else {
    arg->values.emplace_back(std::move(value));
  }
}

}  // namespace bazaar::gateway::request_transformer
