#pragma once
// Query strings and urlencoded bodies as ngx.decode_args / ngx.encode_args see them: each
// name maps to a string, to a bare flag (`?debug`), or to several of those when repeated.
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bazaar::gateway::request_transformer {

// std::nullopt is a flag without '=' (Lua `true`); "" is `name=`.
using ArgValue = std::optional<std::string>;

struct Arg {
  std::string name;
  std::vector<ArgValue> values;  // one unless the name repeated or values were appended
};

using Args = std::vector<Arg>;  // in first-appearance order

// Decodes "a=1&b=x%20y&a=2&flag" ('+' is a space); empty names are skipped.
Args decode_args(std::string_view raw);

enum class ArgOrder { as_is, sorted };

// Encodes with every byte but ALPHA / DIGIT / "-._~" percent-escaped, as OpenResty does.
// Kong's kong.service.request.set_query sorts names; ngx.encode_args (bodies) does not.
std::string encode_args(const Args& args, ArgOrder order);

Arg* find_arg(Args& args, std::string_view name);
const Arg* find_arg(const Args& args, std::string_view name);
void erase_arg(Args& args, std::string_view name);

// RFC 3986 component escaping as used by encode_args.
std::string escape_component(std::string_view text);
// %XX and '+' decoding; malformed escapes are kept as they are.
std::string unescape_component(std::string_view text);

}  // namespace bazaar::gateway::request_transformer
