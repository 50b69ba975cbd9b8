#include "chassis/core/log.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <stdexcept>

namespace bazaar::log {
namespace {
constexpr std::string_view level_name(Level l) {
  switch (l) {
    case Level::debug:
      return "debug";
    case Level::info:
      return "info";
    case Level::warn:
      return "warn";
    case Level::error:
      return "error";
  }
  return "info";
}

// What follows the timestamp up to msg's value, one per level: the service is escaped once
// at init() rather than on every line.
using LineHeads = std::array<std::string, 4>;
LineHeads line_heads_for(std::string_view service) {
  LineHeads heads;
  for (Level l : {Level::debug, Level::info, Level::warn, Level::error}) {
    std::string& h = heads[static_cast<std::size_t>(l)];
    h.append("\",\"level\":\"").append(level_name(l)).append("\",\"service\":\"");
    append_json_escaped(h, service);
    h.append("\",\"msg\":\"");
  }
  return heads;
}

LineHeads g_line_heads = line_heads_for("unknown");
std::atomic<int> g_min_level{static_cast<int>(Level::info)};
std::atomic<int> g_fd{1};

// {"ts":"2026-11-21T08:35:03.123Z; all but the milliseconds is cached per thread.
constexpr std::string_view kTimestampOpen = "{\"ts\":\"";
constexpr std::size_t kTimestampRoom = kTimestampOpen.size() + 24;
char* write_timestamp(char* out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto ms = duration_cast<milliseconds>(now - secs).count();
  constexpr std::size_t kSecondsLength = 19;  // 2026-11-21T08:35:03
  thread_local long long cached_secs = -1;
  thread_local char cached[kTimestampOpen.size() + kSecondsLength + 1];
  long long s = secs.time_since_epoch().count();
  if (s != cached_secs) {
    std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    kTimestampOpen.copy(cached, kTimestampOpen.size());
    std::strftime(cached + kTimestampOpen.size(), kSecondsLength + 1, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_secs = s;
  }
  std::memcpy(out, cached, sizeof cached - 1);
  out += sizeof cached - 1;
  out[0] = '.';
  out[1] = static_cast<char>('0' + ms / 100);
  out[2] = static_cast<char>('0' + ms / 10 % 10);
  out[3] = static_cast<char>('0' + ms % 10);
  out[4] = 'Z';
  return out + 5;
}

template <std::size_t N>
char* put(char* out, const char (&literal)[N]) {
  std::memcpy(out, literal, N - 1);
  return out + N - 1;
}

char* put(char* out, std::string_view text) {
  std::memcpy(out, text.data(), text.size());
  return out + text.size();
}

void append_value(std::string& out, const Field::Value& v) {
  char buf[32];
  if (auto* s = std::get_if<std::string_view>(&v)) {
    out.push_back('"');
    append_json_escaped(out, *s);
    out.push_back('"');
  } else if (auto* i = std::get_if<long long>(&v)) {
    auto r = std::to_chars(buf, buf + sizeof buf, *i);
    out.append(buf, r.ptr);
  } else if (auto* d = std::get_if<double>(&v)) {
    auto r = std::to_chars(buf, buf + sizeof buf, *d);
    out.append(buf, r.ptr);
  } else {
    out.append(std::get<bool>(v) ? "true" : "false");
  }
}
}  // namespace

void init(std::string service, Level min_level) {
  g_line_heads = line_heads_for(service);
  g_min_level = static_cast<int>(min_level);
}

Level parse_level(std::string_view t) {
  if (t == "debug") return Level::debug;
  if (t == "info") return Level::info;
  if (t == "warn") return Level::warn;
  if (t == "error") return Level::error;
  throw std::invalid_argument("expected debug, info, warn or error");
}

bool enabled(Level level) { return static_cast<int>(level) >= g_min_level.load(); }

void set_output_fd(int fd) { g_fd = fd; }

namespace {
constexpr char kHex[] = "0123456789abcdef";
constexpr auto kEscaped = [] {
  std::array<bool, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = true;
  t['"'] = t['\\'] = true;
  return t;
}();

// Whether any byte of a word is a control character, '"' or '\\': lets runs of characters
// that need no escape (nearly all of a log line) be checked and copied a word at a time.
template <class Word>
bool needs_escape(Word v) {
  constexpr Word kOnes = static_cast<Word>(0x0101010101010101ULL);
  constexpr Word kHighs = static_cast<Word>(0x8080808080808080ULL);
  const auto has_zero_byte = [](Word x) { return ((x - kOnes) & ~x & kHighs) != 0; };
  const bool control = ((v - 0x20 * kOnes) & ~v & kHighs) != 0;  // some byte < 0x20
  return control || has_zero_byte(v ^ ('"' * kOnes)) || has_zero_byte(v ^ ('\\' * kOnes));
}

char* write_escaped_char(char* out, char c) {
  const auto u = static_cast<unsigned char>(c);
  if (!kEscaped[u]) {
    *out = c;
    return out + 1;
  }
  out[0] = '\\';
  switch (u) {
    case '"':
    case '\\':
      out[1] = c;
      return out + 2;
    case '\n':
      out[1] = 'n';
      return out + 2;
    case '\r':
      out[1] = 'r';
      return out + 2;
    case '\t':
      out[1] = 't';
      return out + 2;
    default:
      std::memcpy(out + 1, "u00", 3);
      out[4] = kHex[u >> 4];
      out[5] = kHex[u & 0xF];
      return out + 6;
  }
}

char* write_escaped_chars(char* out, const char* p, const char* end) {
  for (; p < end; ++p) out = write_escaped_char(out, *p);
  return out;
}
}  // namespace

char* write_json_escaped(char* out, std::string_view text) {
  const char* p = text.data();
  const char* const end = p + text.size();
  if (text.size() < 8) {
    // Short values, most of an access line's: two overlapping four-byte windows cover 4 to 7
    // bytes at once.
    if (text.size() < 4) return write_escaped_chars(out, p, end);
    std::uint32_t head, tail;
    std::memcpy(&head, p, 4);
    std::memcpy(&tail, end - 4, 4);
    if (needs_escape(head) || needs_escape(tail)) return write_escaped_chars(out, p, end);
    std::memcpy(out, &head, 4);
    std::memcpy(out + text.size() - 4, &tail, 4);
    return out + text.size();
  }
  while (end - p >= 8) {
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    if (!needs_escape(v)) {
      std::memcpy(out, &v, 8);
      out += 8;
      p += 8;
      continue;
    }
    out = write_escaped_chars(out, p, p + 8);
    p += 8;
  }
  if (p == end) return out;
  // The last eight bytes overlap what went before; if they need no escape, rewrite the
  // overlap with the same bytes rather than going byte by byte.
  std::uint64_t last;
  std::memcpy(&last, end - 8, 8);
  if (needs_escape(last)) return write_escaped_chars(out, p, end);
  const std::size_t rest = static_cast<std::size_t>(end - p);
  std::memcpy(out + rest - 8, &last, 8);
  return out + rest;
}

void append_json_escaped(std::string& out, std::string_view text) {
  // Room for the worst case (every byte a \u00XX), then cut back to what was written.
  const std::size_t at = out.size();
  out.resize(at + 6 * text.size());
  char* const end = write_json_escaped(out.data() + at, text);
  out.resize(static_cast<std::size_t>(end - out.data()));
}

namespace {
void write_fully(int fd, const char* p, std::size_t left) {
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // nowhere to report a broken stdout; drop the line rather than crash
    }
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

constexpr std::size_t kBatchBytes = 16 * 1024;

struct ThreadSink {
  bool buffered = false;
  std::string pending;
  void flush() {
    if (pending.empty()) return;
    write_fully(g_fd.load(), pending.data(), pending.size());
    pending.clear();
  }
  ~ThreadSink() { flush(); }
};

ThreadSink& sink() {
  thread_local ThreadSink s;
  return s;
}
}  // namespace

void buffer_this_thread() {
  sink().buffered = true;
  sink().pending.reserve(kBatchBytes * 2);
}

void flush_this_thread() { sink().flush(); }

std::size_t line_start_room(Level level, const TraceIds* trace, std::string_view msg) {
  constexpr std::size_t kTraceKeysRoom = 32;  // ,"trace_id":"…","span_id":"…"
  std::size_t room =
      kTimestampRoom + g_line_heads[static_cast<std::size_t>(level)].size() + 6 * msg.size() + 1;
  if (trace != nullptr) room += kTraceKeysRoom + trace->trace_id.size() + trace->span_id.size();
  return room;
}

char* write_line_start(char* out, Level level, const TraceIds* trace, std::string_view msg) {
  out = write_timestamp(out);
  out = put(out, g_line_heads[static_cast<std::size_t>(level)]);
  out = write_json_escaped(out, msg);
  *out++ = '"';
  if (trace != nullptr && !trace->trace_id.empty()) {
    out = put(out, ",\"trace_id\":\"");
    out = put(out, trace->trace_id);
    out = put(out, "\",\"span_id\":\"");
    out = put(out, trace->span_id);
    *out++ = '"';
  }
  return out;
}

void write_line(Level level, std::string_view line) {
  ThreadSink& out = sink();
  if (!out.buffered) {
    write_fully(g_fd.load(), line.data(), line.size());
    return;
  }
  out.pending.append(line);
  if (out.pending.size() >= kBatchBytes || level >= Level::warn) out.flush();
}

void write(Level level, const TraceIds* trace, std::string_view msg,
           std::initializer_list<Field> fields) {
  thread_local std::string line;
  line.resize(line_start_room(level, trace, msg));
  line.resize(
      static_cast<std::size_t>(write_line_start(line.data(), level, trace, msg) - line.data()));
  for (const auto& f : fields) {
    line.append(",\"");
    append_json_escaped(line, f.key);
    line.append("\":");
    append_value(line, f.value);
  }
  line.append("}\n");
  write_line(level, line);
}

}  // namespace bazaar::log
