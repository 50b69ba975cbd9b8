#include "gateway/plugins/rate_limiting/counter_key.hpp"

namespace bazaar::gateway::rate_limiting {

namespace {

std::string_view or_empty_uuid(std::string_view id) { return id.empty() ? kEmptyUuid : id; }

}  // namespace

void append_subject_prefix(std::string& out, const PluginScope& scope) {
  out += "ratelimit:";
  out += or_empty_uuid(scope.route_id);
  out += ':';
  out += or_empty_uuid(scope.service_id);
  out += ':';
}

std::string counter_subject(const PluginScope& scope, std::string_view identifier) {
  std::string subject;
  append_subject_prefix(subject, scope);
  subject += identifier;
  return subject;
}

std::string counter_key(std::string_view subject, Period period, Seconds now) {
  // get_timestamps returns milliseconds, and Lua's %s prints them as an integer.
  const auto start_ms = window_start(period, now).time_since_epoch().count() * 1000;
  std::string key(subject);
  key += ':';
  key += std::to_string(start_ms);
  key += ':';
  key += period_name(period);
  return key;
}

std::string counter_key(const PluginScope& scope, std::string_view identifier, Period period,
                        Seconds now) {
  return counter_key(counter_subject(scope, identifier), period, now);
}

}  // namespace bazaar::gateway::rate_limiting
