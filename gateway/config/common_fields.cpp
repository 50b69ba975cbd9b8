#include "gateway/config/common_fields.hpp"

#include "gateway/config/draft.hpp"
#include "gateway/config/kong_validators.hpp"

namespace bazaar::gateway::config {

std::string entity_label(std::string_view kind, const std::optional<std::string>& name,
                         std::string_view location) {
  if (name) return std::string(kind) + " '" + *name + "'";
  return std::string(kind) + " at " + std::string(location);
}

std::optional<std::string> read_id_and_bookkeeping(FieldReader& reader) {
  reader.ignore("created_at");
  reader.ignore("updated_at");
  reader.ignore("_comment");
  reader.ignore("_ignore");
  auto id = reader.string("id");
  if (id && !is_uuid(*id)) reader.fail("id", "expected a valid UUID");
  return id;
}

std::optional<std::string> read_name(FieldReader& reader, std::string_view key) {
  auto name = reader.string(key);
  if (name) {
    if (auto error = utf8_name_error(*name)) reader.fail(key, *error);
  }
  return name;
}

std::vector<std::string> read_tags(FieldReader& reader) {
  auto tags = reader.strings("tags").value_or(std::vector<std::string>{});
  for (std::size_t i = 0; i < tags.size(); ++i) {
    if (auto error = tag_error(tags[i])) reader.fail("tags[" + std::to_string(i) + "]", *error);
  }
  return tags;
}

std::optional<std::string> read_reference(FieldReader& reader, std::string_view key) {
  const auto* value = reader.take(key);
  if (value == nullptr) return std::nullopt;
  if (value->is_string()) return std::string(value->as_string());
  if (const auto* object = value->if_object()) {
    const auto* id = object->if_contains("id");
    if (object->size() == 1 && id != nullptr && id->is_string()) {
      return std::string(id->as_string());
    }
  }
  reader.fail(key, "expected a name or id, or an object {id: ...}");
}

void forbid_reference(FieldReader& reader, std::string_view key, const std::string& parent) {
  if (reader.take(key) != nullptr) {
    reader.fail(key, "must not be set on an entity nested in " + parent);
  }
}

}  // namespace bazaar::gateway::config
