#pragma once
// One JSON object per line on stdout: ts, level, service, msg, trace_id, span_id, then the
// caller's fields. Only whole lines are written, so lines of concurrent threads never
// interleave.
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>

namespace bazaar::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

struct TraceIds {
  std::string_view trace_id;
  std::string_view span_id;
};

struct Field {
  using Value = std::variant<std::string_view, long long, double, bool>;
  std::string_view key;
  Value value;

  Field(std::string_view k, std::string_view v) : key(k), value(v) {}
  Field(std::string_view k, const std::string& v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, const char* v) : key(k), value(std::string_view(v)) {}
  Field(std::string_view k, bool v) : key(k), value(v) {}
  Field(std::string_view k, double v) : key(k), value(v) {}
  template <class I>
  requires std::is_integral_v<I> Field(std::string_view k, I v)
      : key(k), value(static_cast<long long>(v)) {}
};

// Call once at start-up; before it, lines carry service "unknown" and level info.
void init(std::string service, Level min_level);
// Parses debug|info|warn|error; throws std::invalid_argument otherwise.
Level parse_level(std::string_view text);
bool enabled(Level level);

// Redirect output (tests); fd 1 by default.
void set_output_fd(int fd);

// Event-loop threads collect their lines and write them in batches (like nginx's
// `access_log ... buffer= flush=`): one write(2) per request costs as much as the request.
// A buffered thread's lines go out when 16 KiB have gathered, at once for warn and error,
// and whenever flush_this_thread() is called (the runtime does every 50 ms and on exit).
void buffer_this_thread();
void flush_this_thread();

void write(Level level, const TraceIds* trace, std::string_view msg,
           std::initializer_list<Field> fields);

inline void debug(std::string_view msg, std::initializer_list<Field> f = {},
                  const TraceIds* t = nullptr) {
  if (enabled(Level::debug)) write(Level::debug, t, msg, f);
}
inline void info(std::string_view msg, std::initializer_list<Field> f = {},
                 const TraceIds* t = nullptr) {
  if (enabled(Level::info)) write(Level::info, t, msg, f);
}
inline void warn(std::string_view msg, std::initializer_list<Field> f = {},
                 const TraceIds* t = nullptr) {
  if (enabled(Level::warn)) write(Level::warn, t, msg, f);
}
inline void error(std::string_view msg, std::initializer_list<Field> f = {},
                  const TraceIds* t = nullptr) {
  write(Level::error, t, msg, f);
}

// For callers that build a whole line themselves because their line is hot (the gateway's
// access log). write_line_start writes the start every line shares, {"ts":…,"level":…,
// "service":…,"msg":…[,"trace_id":…,"span_id":…] without the closing brace, into a buffer
// with room for line_start_room() bytes; write_line writes a finished "{…}\n" line, batched like
// write()'s.
std::size_t line_start_room(Level level, const TraceIds* trace, std::string_view msg);
char* write_line_start(char* out, Level level, const TraceIds* trace, std::string_view msg);
void write_line(Level level, std::string_view line);

// Appends `text` JSON-escaped (without quotes) to `out`. Shared with other hand-written JSON.
void append_json_escaped(std::string& out, std::string_view text);
// The same escaping into a raw buffer with room for 6 * text.size() bytes (the worst case);
// returns the end of what was written. Saves sizing a std::string for each value.
char* write_json_escaped(char* out, std::string_view text);

}  // namespace bazaar::log
