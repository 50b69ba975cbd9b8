#include "gateway/config/field_reader.hpp"

#include <cmath>

#include "gateway/config/config_error.hpp"

namespace bazaar::gateway::config {

std::optional<std::int64_t> as_integer(const boost::json::value& value) {
  if (value.is_int64()) return value.as_int64();
  if (value.is_uint64() && value.as_uint64() <= static_cast<std::uint64_t>(INT64_MAX)) {
    return static_cast<std::int64_t>(value.as_uint64());
  }
  if (value.is_double()) {
    double d = value.as_double();
    if (std::isfinite(d) && std::floor(d) == d && std::fabs(d) < 9.0e15) {
      return static_cast<std::int64_t>(d);
    }
  }
  return std::nullopt;
}

FieldReader::FieldReader(const boost::json::value& value, std::string label)
    : object_(value.if_object()), label_(std::move(label)) {
  if (object_ == nullptr) throw ConfigError(label_ + ": expected an object");
}

std::optional<std::string> FieldReader::peek_string(std::string_view key) const {
  const auto* value = object_->if_contains(key);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->as_string());
}

const boost::json::value* FieldReader::take(std::string_view key) {
  seen_.emplace(key);
  const auto* value = object_->if_contains(key);
  if (value == nullptr || value->is_null()) return nullptr;
  return value;
}

std::optional<std::string> FieldReader::string(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) fail(key, "expected a string");
  return std::string(value->as_string());
}

std::optional<std::int64_t> FieldReader::integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  auto integer = as_integer(*value);
  if (!integer) fail(key, "expected an integer");
  if (*integer < min || *integer > max) {
    fail(key, "value should be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return integer;
}

std::optional<bool> FieldReader::boolean(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_bool()) fail(key, "expected a boolean");
  return value->as_bool();
}

std::optional<std::vector<std::string>> FieldReader::strings(std::string_view key) {
  const auto* list = array(key);
  if (list == nullptr) return std::nullopt;
  std::vector<std::string> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const auto& element = (*list)[i];
    if (!element.is_string()) {
      fail(std::string(key) + "[" + std::to_string(i) + "]", "expected a string");
    }
    out.emplace_back(element.as_string());
  }
  return out;
}

std::optional<std::vector<int>> FieldReader::integers(std::string_view key, int min, int max) {
  const auto* list = array(key);
  if (list == nullptr) return std::nullopt;
  std::vector<int> out;
  for (std::size_t i = 0; i < list->size(); ++i) {
    auto integer = as_integer((*list)[i]);
    std::string field = std::string(key) + "[" + std::to_string(i) + "]";
    if (!integer) fail(field, "expected an integer");
    if (*integer < min || *integer > max) {
      fail(field, "value should be between " + std::to_string(min) + " and " + std::to_string(max));
    }
    out.push_back(static_cast<int>(*integer));
  }
  return out;
}

const boost::json::array* FieldReader::array(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return nullptr;
  if (!value->is_array()) fail(key, "expected an array");
  return &value->as_array();
}

const boost::json::object* FieldReader::object(std::string_view key) {
  const auto* value = take(key);
  if (value == nullptr) return nullptr;
  if (!value->is_object()) fail(key, "expected an object");
  return &value->as_object();
}

void FieldReader::expect_only(std::initializer_list<std::string_view> known) const {
  for (const auto& entry : *object_) {
    bool listed = false;
    for (auto key : known) listed = listed || key == entry.key();
    if (!listed) throw ConfigError(label_ + ": unknown field '" + std::string(entry.key()) + "'");
  }
}

void FieldReader::finish() const {
  for (const auto& entry : *object_) {
    if (!seen_.contains(entry.key())) {
      throw ConfigError(label_ + ": unknown field '" + std::string(entry.key()) + "'");
    }
  }
}

void FieldReader::fail(std::string_view field, std::string_view message) const {
  throw ConfigError(label_ + ": " + std::string(field) + ": " + std::string(message));
}

}  // namespace bazaar::gateway::config
