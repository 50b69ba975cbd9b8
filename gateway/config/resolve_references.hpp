#pragma once
// The second pass over the declarative file: uniqueness, references by name or id, and plugin
// configs checked by their plugins.
#include "gateway/config/declarative.hpp"
#include "gateway/config/draft.hpp"
#include "gateway/config/load.hpp"

namespace bazaar::gateway::config {

// Throws ConfigError for duplicates, dangling references and rejected plugin configs.
Declarative resolve_references(DeclarativeDraft draft, const PluginValidator& validate);

}  // namespace bazaar::gateway::config
