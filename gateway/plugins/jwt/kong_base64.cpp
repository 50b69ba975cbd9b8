#include "gateway/plugins/jwt/kong_base64.hpp"

#include <array>
#include <cstdint>

namespace bazaar::gateway::jwt {
namespace {

constexpr std::uint8_t kInvalid = 0xFF;

// nginx's basis64 table after jwt_parser.lua's gsub("-", "+"):gsub("_", "/"): both URL-safe and
// standard characters map to the same values.
constexpr std::array<std::uint8_t, 256> make_table() {
  std::array<std::uint8_t, 256> t{};
  t.fill(kInvalid);
  constexpr char kStd[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (std::uint8_t i = 0; i < 64; ++i) t[static_cast<unsigned char>(kStd[i])] = i;
  t[static_cast<unsigned char>('-')] = 62;
  t[static_cast<unsigned char>('_')] = 63;
  return t;
}
constexpr std::array<std::uint8_t, 256> kTable = make_table();

}  // namespace

std::optional<std::string> kong_base64_decode(std::string_view text) {
  // Padding to a multiple of four only ever appends '=', which ngx_decode_base64 stops at, so
  // it changes nothing but the length check below (1 mod 4 stays invalid either way).
  std::size_t len = 0;
  for (; len < text.size() && text[len] != '='; ++len) {
    if (kTable[static_cast<unsigned char>(text[len])] == kInvalid) return std::nullopt;
  }
  if (len % 4 == 1) return std::nullopt;

  std::string out;
  out.reserve(len * 3 / 4);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < len; ++i) {
    acc = (acc << 6) | kTable[static_cast<unsigned char>(text[i])];
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xFF));
      acc &= (1u << bits) - 1;
    }
  }
  return out;
}

}  // namespace bazaar::gateway::jwt
