#include "chassis/telemetry/trace.hpp"

#include "chassis/core/ids.hpp"

namespace bazaar::telemetry {
namespace {
bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}
bool all_zero(std::string_view s) { return s.find_first_not_of('0') == std::string_view::npos; }
}  // namespace

std::optional<TraceContext> TraceContext::parse(std::string_view h) {
  // version(2) - trace(32) - span(16) - flags(2); future versions may append "-...".
  if (h.size() < 55 || h[2] != '-' || h[35] != '-' || h[52] != '-') return std::nullopt;
  std::string_view version = h.substr(0, 2), trace = h.substr(3, 32), span = h.substr(36, 16),
                   flags = h.substr(53, 2);
  if (!lower_hex(version) || version == "ff") return std::nullopt;
  if (version == "00" && h.size() != 55) return std::nullopt;
  if (version != "00" && h.size() > 55 && h[55] != '-') return std::nullopt;
  if (!lower_hex(trace) || !lower_hex(span) || !lower_hex(flags)) return std::nullopt;
  if (all_zero(trace) || all_zero(span)) return std::nullopt;
  TraceContext ctx;
  ctx.trace_id = trace;
  ctx.span_id = span;
  ctx.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
  return ctx;
}

TraceContext TraceContext::child_of(const std::optional<TraceContext>& parent) {
  TraceContext ctx;
  if (parent) {
    ctx.trace_id = parent->trace_id;
    ctx.parent_span_id = parent->span_id;
    ctx.sampled = parent->sampled;
  } else {
    ctx.trace_id = ids::random_hex(16);
  }
  ctx.span_id = ids::random_hex(8);
  return ctx;
}

std::string TraceContext::traceparent() const {
  std::string header;  // made for every proxied request: one allocation
  header.reserve(3 + trace_id.size() + 1 + span_id.size() + 3);
  header.append("00-").append(trace_id).append("-").append(span_id);
  header.append(sampled ? "-01" : "-00");
  return header;
}

}  // namespace bazaar::telemetry
