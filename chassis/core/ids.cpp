#include "chassis/core/ids.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
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
  // Filled in place, two digits per table lookup: trace and span ids are made for every request
  // that arrives without one.
  static constexpr auto kPairs = [] {
    constexpr char digits[] = "0123456789abcdef";
    std::array<char, 512> pairs{};
    for (std::size_t b = 0; b < 256; ++b) {
      pairs[2 * b] = digits[b >> 4];
      pairs[2 * b + 1] = digits[b & 0xF];
    }
    return pairs;
  }();
  std::string out(bytes * 2, '0');
  char* at = out.data();
  bool all_zero = true;
  for (std::size_t i = 0; i < bytes; i += 8) {
    std::uint64_t r = engine()();
    const std::size_t n = std::min<std::size_t>(8, bytes - i);
    if (n < 8) r &= (std::uint64_t{1} << (8 * n)) - 1;
    all_zero = all_zero && r == 0;
    for (std::size_t j = 0; j < n; ++j, r >>= 8, at += 2)
      std::memcpy(at, &kPairs[2 * (r & 0xFF)], 2);
  }
  if (all_zero && !out.empty()) out.back() = '1';
  return out;
}

}  // namespace bazaar::ids
