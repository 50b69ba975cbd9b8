#include "chassis/core/ids.hpp"

#include <array>
#include <cstdint>
#include <random>

namespace bazaar::ids {
namespace {
std::mt19937_64& engine() {
  thread_local std::mt19937_64 rng{[] {
    std::random_device rd;
    std::seed_seq seq{rd(), rd(), rd(), rd(), rd(), rd(), rd(), rd()};
    return std::mt19937_64(seq);
  }()};
  return rng;
}

void append_hex(std::string& out, std::uint8_t b) {
  static constexpr char digits[] = "0123456789abcdef";
  out.push_back(digits[b >> 4]);
  out.push_back(digits[b & 0xF]);
}

bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
}  // namespace

std::string uuid_v4() {
  std::array<std::uint8_t, 16> b{};
  for (std::size_t i = 0; i < b.size(); i += 8) {
    std::uint64_t r = engine()();
    for (std::size_t j = 0; j < 8; ++j) b[i + j] = static_cast<std::uint8_t>(r >> (8 * j));
  }
  b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40);
  b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80);
  std::string out;
  out.reserve(36);
  for (std::size_t i = 0; i < b.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    append_hex(out, b[i]);
  }
  return out;
}

bool is_uuid(std::string_view t) {
  if (t.size() != 36) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash ? t[i] != '-' : !is_hex(t[i])) return false;
  }
  return true;
}

std::string random_hex(std::size_t bytes) {
  std::string out;
  out.reserve(bytes * 2);
  bool all_zero = true;
  while (out.size() < bytes * 2) {
    std::uint64_t r = engine()();
    for (int j = 0; j < 8 && out.size() < bytes * 2; ++j) {
      auto b = static_cast<std::uint8_t>(r >> (8 * j));
      all_zero = all_zero && b == 0;
      append_hex(out, b);
    }
  }
  if (all_zero) out.back() = '1';
  return out;
}

}  // namespace bazaar::ids
