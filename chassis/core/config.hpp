#pragma once
// Typed configuration from environment variables. A missing or malformed variable throws
// ConfigError whose what() is one line naming the variable, which main() prints and exits.
#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>

namespace bazaar::config {

struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The raw value, or nullopt when unset. Empty counts as unset.
std::optional<std::string> raw(const char* name);

std::string string(const char* name, std::string fallback);
std::string required_string(const char* name);
long long integer(const char* name, long long fallback, long long min, long long max);
bool boolean(const char* name, bool fallback);
// Accepts "250ms", "5s", "2m" or a bare number of milliseconds.
std::chrono::milliseconds duration(const char* name, std::chrono::milliseconds fallback);

// Parsers shared with the above; they throw ConfigError mentioning `name`.
long long parse_integer(const char* name, const std::string& text, long long min, long long max);
std::chrono::milliseconds parse_duration(const char* name, const std::string& text);

}  // namespace bazaar::config
