#pragma once
// The steps of apply(), one per part of the request (internal to this library).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"
#include "gateway/plugins/request_transformer/args.hpp"
#include "gateway/plugins/request_transformer/config.hpp"

namespace bazaar::gateway::request_transformer {

// An entry's rendered value; nullopt when the entry has none (Kong's `nil`).
std::optional<std::string> render_value(const Entry& entry, const TemplateContext& context);

// Lua's `rename(tbl, old, new)` on args: moves old's values to new, replacing new.
bool rename_arg(Args& args, const std::string& old_name, const std::string& new_name);
// Lua's `append_value`: a lone flag becomes the value; otherwise the value is added.
void append_arg(Args& args, const std::string& name, std::string value);

void transform_headers(const Config& config, Request& request, const TemplateContext& context,
                       std::optional<std::string>& upstream_host);
void transform_querystring(const Config& config, Request& request, const TemplateContext& context);
// Returns false with `error` set where Kong would fail the request.
bool transform_body(const Config& config, Request& request, const TemplateContext& context,
                    bool& changed, std::string& error);

}  // namespace bazaar::gateway::request_transformer
