#include "gateway/plugins/request_transformer/args.hpp"

#include <algorithm>

#include "gateway/uri/percent.hpp"

namespace bazaar::gateway::request_transformer {

namespace {

bool is_unreserved(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

void append_encoded(std::string& out, const std::string& name, const ArgValue& value) {
  if (!out.empty()) out += '&';
  out += escape_component(name);
  if (value) {
    out += '=';
    out += escape_component(*value);
  }
}

}  // namespace

std::string escape_component(std::string_view text) {
  return uri::percent_encode(text, is_unreserved);
}

std::string unescape_component(std::string_view text) { return uri::form_decode(text); }

Args decode_args(std::string_view raw) {
  Args args;
  while (!raw.empty()) {
    const std::size_t amp = raw.find('&');
    const std::string_view pair = raw.substr(0, amp);
    raw = amp == std::string_view::npos ? std::string_view{} : raw.substr(amp + 1);
    const std::size_t eq = pair.find('=');
    std::string name = unescape_component(pair.substr(0, eq));
    if (name.empty()) continue;
    ArgValue value;
    if (eq != std::string_view::npos) value = unescape_component(pair.substr(eq + 1));
    if (Arg* existing = find_arg(args, name)) {
      existing->values.push_back(std::move(value));
    } else {
      args.push_back(Arg{std::move(name), {std::move(value)}});
    }
  }
  return args;
}

std::string encode_args(const Args& args, ArgOrder order) {
  std::vector<const Arg*> ordered;
  ordered.reserve(args.size());
  for (const Arg& arg : args) ordered.push_back(&arg);
  if (order == ArgOrder::sorted) {
    // Lua string comparison: byte order; values of one name keep their order.
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const Arg* a, const Arg* b) { return a->name < b->name; });
  }
  std::string out;
  for (const Arg* arg : ordered) {
    for (const ArgValue& value : arg->values) append_encoded(out, arg->name, value);
  }
  return out;
}

Arg* find_arg(Args& args, std::string_view name) {
  auto it =
      std::find_if(args.begin(), args.end(), [&](const Arg& arg) { return arg.name == name; });
  return it == args.end() ? nullptr : &*it;
}

const Arg* find_arg(const Args& args, std::string_view name) {
  auto it =
      std::find_if(args.begin(), args.end(), [&](const Arg& arg) { return arg.name == name; });
  return it == args.end() ? nullptr : &*it;
}

void erase_arg(Args& args, std::string_view name) {
  std::erase_if(args, [&](const Arg& arg) { return arg.name == name; });
}

}  // namespace bazaar::gateway::request_transformer
