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

  // Four characters make three bytes; the tail of two or three characters makes one or two.
  std::string out(len / 4 * 3 + (len % 4 == 0 ? 0 : len % 4 - 1), '\0');
  const auto value = [&text](std::size_t i) -> std::uint32_t {
    return kTable[static_cast<unsigned char>(text[i])];
  };
  std::size_t i = 0;
  std::size_t o = 0;
  for (; i + 4 <= len; i += 4) {
    const std::uint32_t v = value(i) << 18 | value(i + 1) << 12 | value(i + 2) << 6 | value(i + 3);
    out[o++] = static_cast<char>(v >> 16);
    out[o++] = static_cast<char>(v >> 8 & 0xFF);
    out[o++] = static_cast<char>(v & 0xFF);
  }
  if (len - i >= 2) {
    std::uint32_t v = value(i) << 18 | value(i + 1) << 12;
    if (len - i == 3) v |= value(i + 2) << 6;
    out[o++] = static_cast<char>(v >> 16);
    if (len - i == 3) out[o++] = static_cast<char>(v >> 8 & 0xFF);
  }
  return out;
}

}  // namespace bazaar::gateway::jwt
