#pragma once
// One reader per Kong entity: validates a JSON object against the entity's Kong schema and
// appends it (and the entities nested in it) to the draft. Throw ConfigError.
#include <optional>
#include <string>

#include <boost/json/value.hpp>

#include "gateway/config/draft.hpp"
#include "gateway/config/field_reader.hpp"

namespace bazaar::gateway::config {

// The entity a nested entity is declared in.
struct Parent {
  enum class Kind { none, service, route, consumer, upstream } kind = Kind::none;
  std::size_t index = 0;
  std::string label;
};

void read_service(const boost::json::value& value, const std::string& location,
                  DeclarativeDraft& draft);
void read_route(const boost::json::value& value, const std::string& location, const Parent& parent,
                DeclarativeDraft& draft);
void read_consumer(const boost::json::value& value, const std::string& location,
                   DeclarativeDraft& draft);
void read_jwt_secret(const boost::json::value& value, const std::string& location,
                     const Parent& parent, DeclarativeDraft& draft);
void read_upstream(const boost::json::value& value, const std::string& location,
                   DeclarativeDraft& draft);
void read_target(const boost::json::value& value, const std::string& location, const Parent& parent,
                 DeclarativeDraft& draft);
void read_plugin(const boost::json::value& value, const std::string& location, const Parent& parent,
                 DeclarativeDraft& draft);

// Calls `read(element, element_location)` for every element of the array `key`.
template <typename Read>
void read_each(FieldReader& reader, std::string_view key, const std::string& location, Read read) {
  const auto* list = reader.array(key);
  if (list == nullptr) return;
  for (std::size_t i = 0; i < list->size(); ++i) {
    read((*list)[i], location + std::string(key) + "[" + std::to_string(i) + "]");
  }
}

}  // namespace bazaar::gateway::config
