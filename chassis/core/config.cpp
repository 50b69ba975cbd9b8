#include "chassis/core/config.hpp"

#include <charconv>
#include <cstdlib>

namespace bazaar::config {
namespace {
[[noreturn]] void fail(const char* name, const std::string& why, const std::string& text) {
  throw ConfigError(std::string("config: ") + name + ": " + why + ", got '" + text + "'");
}
}  // namespace

std::optional<std::string> raw(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return std::nullopt;
  return std::string(v);
}

std::string string(const char* name, std::string fallback) {
  return raw(name).value_or(std::move(fallback));
}

std::string required_string(const char* name) {
  auto v = raw(name);
  if (!v) throw ConfigError(std::string("config: ") + name + ": required but not set");
  return *v;
}

long long parse_integer(const char* name, const std::string& text, long long min, long long max) {
  long long value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max) {
    fail(name, "expected an integer in " + std::to_string(min) + ".." + std::to_string(max), text);
  }
  return value;
}

long long integer(const char* name, long long fallback, long long min, long long max) {
  auto v = raw(name);
  return v ? parse_integer(name, *v, min, max) : fallback;
}

bool boolean(const char* name, bool fallback) {
  auto v = raw(name);
  if (!v) return fallback;
  if (*v == "1" || *v == "true" || *v == "yes" || *v == "on") return true;
  if (*v == "0" || *v == "false" || *v == "no" || *v == "off") return false;
  fail(name, "expected true or false", *v);
}

std::chrono::milliseconds parse_duration(const char* name, const std::string& text) {
  std::size_t digits = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') ++digits;
  if (digits == 0) fail(name, "expected a duration such as 250ms, 5s, 2m or 336h", text);
  long long n = parse_integer(name, text.substr(0, digits), 0, 1'000'000'000);
  std::string unit = text.substr(digits);
  if (unit.empty() || unit == "ms") return std::chrono::milliseconds(n);
  if (unit == "s") return std::chrono::seconds(n);
  if (unit == "m") return std::chrono::minutes(n);
  if (unit == "h") return std::chrono::hours(n);
  fail(name, "expected a duration such as 250ms, 5s, 2m or 336h", text);
}

std::chrono::milliseconds duration(const char* name, std::chrono::milliseconds fallback) {
  auto v = raw(name);
  return v ? parse_duration(name, *v) : fallback;
}

}  // namespace bazaar::config
