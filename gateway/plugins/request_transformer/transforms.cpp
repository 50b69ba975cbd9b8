// Helpers shared by the transform steps: Lua table semantics on headers and args.
#include <algorithm>

#include "gateway/plugins/request_transformer/transforms.hpp"

namespace bazaar::gateway::request_transformer {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    const auto lower = [](char c) {
      return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
    };
    return lower(x) == lower(y);
  });
}

std::optional<std::string_view> first_header(const std::vector<Header>& headers,
                                             std::string_view name) {
  for (const Header& header : headers) {
    if (equals_ignoring_case(header.name, name)) return header.value;
  }
  return std::nullopt;
}

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
