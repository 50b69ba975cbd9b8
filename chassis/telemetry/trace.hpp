#pragma once
// W3C Trace Context (traceparent). Each request gets a span: the caller's trace continues when a
// valid traceparent arrives, otherwise a new trace starts.
#include <optional>
#include <string>
#include <string_view>

#include "chassis/core/log.hpp"

namespace bazaar::telemetry {

struct TraceContext {
  std::string trace_id;        // 32 lower-case hex
  std::string span_id;         // 16 lower-case hex, this process's span
  std::string parent_span_id;  // the caller's span, empty for a new trace
  bool sampled = true;

  // Parses "00-<trace>-<span>-<flags>"; nullopt for anything the spec says to ignore
  // (bad length, upper-case hex, all-zero ids, version ff).
  static std::optional<TraceContext> parse(std::string_view traceparent);
  // A child span of `parent`, or the root span of a new trace.
  static TraceContext child_of(const std::optional<TraceContext>& parent);

  std::string traceparent() const;
  log::TraceIds ids() const { return {trace_id, span_id}; }
};

}  // namespace bazaar::telemetry
