#pragma once
// The names Kong gives its counters, so that a Redis shared with Kong nodes, or with other
// gateways of ours, counts every request once (kong/plugins/rate-limiting/policies/init.lua
// get_local_key).
#include <string>
#include <string_view>

#include "gateway/plugins/rate_limiting/period.hpp"

namespace bazaar::gateway::rate_limiting {

// Kong's stand-in for "no route" / "no service" in counter names.
inline constexpr std::string_view kEmptyUuid = "00000000-0000-0000-0000-000000000000";

// Where the plugin instance is attached (Kong's conf.route_id / conf.service_id), not the
// route the request matched: a global plugin counts all routes together. "" means none.
struct PluginScope {
  std::string route_id;
  std::string service_id;
};

// "ratelimit:<route_id>:<service_id>:<identifier>:<window start, ms since epoch>:<period>",
// e.g. "ratelimit:0000…:0000…:1.2.3.4:1700000040000:minute".
std::string counter_key(const PluginScope& scope, std::string_view identifier, Period period,
                        Seconds now);

// The part of the key before the window, shared by all periods of one request.
std::string counter_subject(const PluginScope& scope, std::string_view identifier);
// Appends "ratelimit:<route_id>:<service_id>:", the subject up to its identifier.
void append_subject_prefix(std::string& out, const PluginScope& scope);
std::string counter_key(std::string_view subject, Period period, Seconds now);

}  // namespace bazaar::gateway::rate_limiting
