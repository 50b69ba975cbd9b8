#pragma once
// Percent-encoding as the gateway's Kong parts need it, in one place: the config's and the
// router's path normalization, the upstream path escape, the jwt plugin's query arguments,
// the request-transformer's query and form bodies. Pure, unit-tested.
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::gateway::uri {

// The byte "%XY" at text[i] stands for; nullopt unless text[i..i+2] is a well-formed escape.
std::optional<char> escaped_byte_at(std::string_view text, std::size_t i);

// Every byte for which keep(byte) is false becomes %XY (upper-case hex).
std::string percent_encode(std::string_view text, bool (*keep)(char));

// kong/tools/uri.lua escape(), as the upstream path and request-transformer's replace.uri get
// it: percent-encodes what may not travel in a request line, keeping reserved characters and
// existing escapes, so a normalized path keeps its meaning upstream.
std::string escape_path(std::string_view path);

// An application/x-www-form-urlencoded component: '+' is a space, %XY a byte; a malformed
// escape stays as it is (as ngx.unescape_uri leaves it).
std::string form_decode(std::string_view text);

}  // namespace bazaar::gateway::uri
