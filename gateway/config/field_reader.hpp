#pragma once
// Strict reading of one JSON object of the declarative file: typed getters that remember which
// keys were read, so finish() can reject unknown keys as Kong's schema validation does.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

namespace bazaar::gateway::config {

class FieldReader {
 public:
  // `label` names the entity in errors, e.g. "service 'user-service'" or "route at routes[2]".
  FieldReader(const boost::json::value& value, std::string label);

  const std::string& label() const { return label_; }
  void relabel(std::string label) { label_ = std::move(label); }

  // The string at `key` without reading it (for labels, before anything can fail).
  std::optional<std::string> peek_string(std::string_view key) const;

  // Kong treats an explicit null as "not set", so every getter returns nullopt for it.
  const boost::json::value* take(std::string_view key);
  std::optional<std::string> string(std::string_view key);
  std::optional<std::int64_t> integer(std::string_view key, std::int64_t min, std::int64_t max);
  std::optional<bool> boolean(std::string_view key);
  std::optional<std::vector<std::string>> strings(std::string_view key);
  std::optional<std::vector<int>> integers(std::string_view key, int min, int max);
  const boost::json::array* array(std::string_view key);
  const boost::json::object* object(std::string_view key);
  void ignore(std::string_view key) { seen_.emplace(key); }

  // Throws for the first key not in `known`: call it once the label is final, so a typo is
  // reported as such before any "required field missing" it causes.
  void expect_only(std::initializer_list<std::string_view> known) const;

  // Throws for the first key never read (a safety net behind expect_only).
  void finish() const;

  [[noreturn]] void fail(std::string_view field, std::string_view message) const;

 private:
  const boost::json::object* object_;
  std::string label_;
  std::set<std::string, std::less<>> seen_;
};

// Kong's integer type accepts any number without a fractional part (Lua has one number type).
std::optional<std::int64_t> as_integer(const boost::json::value& value);

}  // namespace bazaar::gateway::config
