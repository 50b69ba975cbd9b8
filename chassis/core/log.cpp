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
std::string g_service = "unknown";
std::atomic<int> g_min_level{static_cast<int>(Level::info)};
std::atomic<int> g_fd{1};

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

// "2026-11-21T08:35:03.123Z"; the seconds part is cached per thread.
void append_timestamp(std::string& out) {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto ms = duration_cast<milliseconds>(now - secs).count();
  thread_local long long cached_secs = -1;
  thread_local char cached[24];
  long long s = secs.time_since_epoch().count();
  if (s != cached_secs) {
    std::time_t t = static_cast<std::time_t>(s);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(cached, sizeof cached, "%Y-%m-%dT%H:%M:%S", &tm);
    cached_secs = s;
  }
  out.append(cached);
  char frac[5] = {'.', static_cast<char>('0' + ms / 100), static_cast<char>('0' + ms / 10 % 10),
                  static_cast<char>('0' + ms % 10), 'Z'};
  out.append(frac, sizeof frac);
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
  g_service = std::move(service);
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

void append_json_escaped(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  static constexpr auto kEscaped = [] {
    std::array<bool, 256> t{};
    for (int c = 0; c < 0x20; ++c) t[c] = true;
    t['"'] = t['\\'] = true;
    return t;
  }();
  // Runs of characters that need no escape (nearly all of a log line) go in one append;
  // eight bytes at a time are checked for a control character, '"' or '\\' at once.
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  const auto has_zero_byte = [](std::uint64_t v) { return ((v - kOnes) & ~v & kHighs) != 0; };
  std::size_t plain_from = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    while (i + 8 <= text.size()) {
      std::uint64_t v;
      std::memcpy(&v, text.data() + i, 8);
      const bool control = ((v - 0x20 * kOnes) & ~v & kHighs) != 0;  // some byte < 0x20
      if (control || has_zero_byte(v ^ ('"' * kOnes)) || has_zero_byte(v ^ ('\\' * kOnes))) break;
      i += 8;
    }
    if (i >= text.size()) break;
    const auto u = static_cast<unsigned char>(text[i]);
    if (!kEscaped[u]) continue;
    out.append(text.data() + plain_from, i - plain_from);
    plain_from = i + 1;
    switch (u) {
      case '"':
        out.append("\\\"");
        break;
      case '\\':
        out.append("\\\\");
        break;
      case '\n':
        out.append("\\n");
        break;
      case '\r':
        out.append("\\r");
        break;
      case '\t':
        out.append("\\t");
        break;
      default:
        out.append("\\u00");
        out.push_back(hex[u >> 4]);
        out.push_back(hex[u & 0xF]);
    }
  }
  out.append(text.data() + plain_from, text.size() - plain_from);
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

void write(Level level, const TraceIds* trace, std::string_view msg,
           std::initializer_list<Field> fields) {
  thread_local std::string line;
  line.clear();
  line.append("{\"ts\":\"");
  append_timestamp(line);
  line.append("\",\"level\":\"");
  line.append(level_name(level));
  line.append("\",\"service\":\"");
  append_json_escaped(line, g_service);
  line.append("\",\"msg\":\"");
  append_json_escaped(line, msg);
  line.push_back('"');
  if (trace != nullptr && !trace->trace_id.empty()) {
    line.append(",\"trace_id\":\"");
    line.append(trace->trace_id);
    line.append("\",\"span_id\":\"");
    line.append(trace->span_id);
    line.push_back('"');
  }
  for (const auto& f : fields) {
    line.append(",\"");
    append_json_escaped(line, f.key);
    line.append("\":");
    append_value(line, f.value);
  }
  line.append("}\n");
  ThreadSink& out = sink();
  if (!out.buffered) {
    write_fully(g_fd.load(), line.data(), line.size());
    return;
  }
  out.pending.append(line);
  if (out.pending.size() >= kBatchBytes || level >= Level::warn) out.flush();
}

}  // namespace bazaar::log
