#pragma once
// Fields every Kong entity shares in the declarative format.
#include <optional>
#include <string>
#include <vector>

#include "gateway/config/field_reader.hpp"

namespace bazaar::gateway::config {

// `id` (a UUID), plus the fields Kong fills in itself or ignores in declarative files:
// created_at, updated_at, _comment, _ignore.
std::optional<std::string> read_id_and_bookkeeping(FieldReader& reader);

// typedefs.utf8_name
std::optional<std::string> read_name(FieldReader& reader, std::string_view key);

// typedefs.tags: a set of tags.
std::vector<std::string> read_tags(FieldReader& reader);

// A foreign key at top level: the referenced entity's endpoint key (name, username...) or id,
// written as a string or as {id: ...}.
std::optional<std::string> read_reference(FieldReader& reader, std::string_view key);

// Rejects a foreign key on a nested entity, whose parent already is the reference.
void forbid_reference(FieldReader& reader, std::string_view key, const std::string& parent);

}  // namespace bazaar::gateway::config
