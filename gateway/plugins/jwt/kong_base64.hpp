#pragma once
// Base64 decoding exactly as Kong's jwt plugin does it, which is laxer than RFC 7515:
// jwt_parser.lua's base64_decode pads the input with '=' to a multiple of four, maps '-' to '+'
// and '_' to '/', and hands it to ngx.decode_base64 (nginx's ngx_decode_base64), which
//   - accepts both alphabets (so a segment may mix "+/" with "-_"),
//   - stops reading at the first '=' and ignores whatever follows it,
//   - rejects any other character before that '=' and a length of 1 mod 4,
//   - does not insist that unused trailing bits are zero.
// Signatures are compared as decoded bytes, so the laxness cannot make a forged token verify;
// it only decides which malformed tokens get "Bad token; ..." and which "Invalid signature".
#include <optional>
#include <string>
#include <string_view>

namespace bazaar::gateway::jwt {

std::optional<std::string> kong_base64_decode(std::string_view text);

}  // namespace bazaar::gateway::jwt
