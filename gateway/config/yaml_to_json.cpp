#include "gateway/config/yaml_to_json.hpp"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>
#include <boost/json.hpp>

#include "gateway/config/config_error.hpp"

namespace bazaar::gateway::config {
namespace {

bool is_one_of(std::string_view s, std::initializer_list<std::string_view> options) {
  for (auto option : options) {
    if (s == option) return true;
  }
  return false;
}

std::optional<std::int64_t> parse_integer(std::string_view s) {
  int base = 10;
  bool negative = false;
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
    base = s[1] == 'x' ? 16 : 8;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  std::uint64_t magnitude = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), magnitude, base);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  if (magnitude > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
    return std::nullopt;
  }
  auto value = static_cast<std::int64_t>(magnitude);
  return negative ? -value : value;
}

bool looks_like_float(std::string_view s) {
  if (!s.empty() && (s.front() == '-' || s.front() == '+')) s.remove_prefix(1);
  bool digits = false;
  std::size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) digits = true, ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) digits = true, ++i;
  }
  if (!digits) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    bool exponent = false;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) exponent = true, ++i;
    if (!exponent) return false;
  }
  return i == s.size();
}

// YAML 1.2 core schema resolution of an untagged plain scalar.
boost::json::value resolve_plain_scalar(const std::string& s) {
  if (is_one_of(s, {"", "~", "null", "Null", "NULL"})) return nullptr;
  if (is_one_of(s, {"true", "True", "TRUE"})) return true;
  if (is_one_of(s, {"false", "False", "FALSE"})) return false;
  if (auto integer = parse_integer(s)) return *integer;
  if (looks_like_float(s)) return std::strtod(s.c_str(), nullptr);  // overflow: +-inf
  if (is_one_of(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    return std::numeric_limits<double>::infinity();
  }
  if (is_one_of(s, {"-.inf", "-.Inf", "-.INF"})) return -std::numeric_limits<double>::infinity();
  if (is_one_of(s, {".nan", ".NaN", ".NAN"})) return std::numeric_limits<double>::quiet_NaN();
  return boost::json::string(s);
}

std::string where(const YAML::Node& node) { return "line " + std::to_string(node.Mark().line + 1); }

boost::json::value convert(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // yaml-cpp tags plain scalars "?" and quoted ones "!"; only plain ones are typed.
      if (node.Tag() == "?") return resolve_plain_scalar(node.Scalar());
      return boost::json::string(node.Scalar());
    case YAML::NodeType::Sequence: {
      boost::json::array array;
      for (const auto& element : node) array.push_back(convert(element));
      return array;
    }
    case YAML::NodeType::Map: {
      boost::json::object object;
      for (const auto& entry : node) {
        if (!entry.first.IsScalar()) {
          throw ConfigError("invalid YAML at " + where(entry.first) + ": keys must be scalars");
        }
        const std::string& key = entry.first.Scalar();
        if (object.contains(key)) {
          throw ConfigError("invalid YAML at " + where(entry.first) + ": duplicate key '" + key +
                            "'");
        }
        object.emplace(key, convert(entry.second));
      }
      return object;
    }
  }
  return nullptr;
}

}  // namespace

boost::json::value yaml_to_json(std::string_view text) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ConfigError("invalid YAML or JSON at line " + std::to_string(e.mark.line + 1) + ": " +
                      e.msg);
  }
  return convert(root);
}

}  // namespace bazaar::gateway::config
