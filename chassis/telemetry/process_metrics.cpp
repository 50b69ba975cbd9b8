#include "chassis/telemetry/process_metrics.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bazaar::telemetry {
namespace {

// /proc files report size 0, so read until EOF instead of trusting stat(2).
std::optional<std::string> read_file(const char* path) {
  const int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  std::string text;
  char buf[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      text.append(buf, static_cast<std::size_t>(n));
    } else if (n == 0) {
      break;
    } else if (errno != EINTR) {
      ::close(fd);
      return std::nullopt;
    }
  }
  ::close(fd);
  return text;
}

std::optional<std::uint64_t> parse_u64(std::string_view text) {
  std::uint64_t v = 0;
  const auto res = std::from_chars(text.data(), text.data() + text.size(), v);
  if (res.ec != std::errc{} || res.ptr == text.data()) return std::nullopt;
  return v;
}

std::vector<std::string_view> split_spaces(std::string_view text) {
  std::vector<std::string_view> fields;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t start = text.find_first_not_of(" \n", pos);
    if (start == std::string_view::npos) break;
    std::size_t end = text.find_first_of(" \n", start);
    if (end == std::string_view::npos) end = text.size();
    fields.push_back(text.substr(start, end - start));
    pos = end;
  }
  return fields;
}

struct SelfStat {
  std::uint64_t utime = 0;
  std::uint64_t stime = 0;
  std::uint64_t starttime = 0;
};

std::optional<SelfStat> read_self_stat() {
  const auto text = read_file("/proc/self/stat");
  if (!text) return std::nullopt;
  // Field 2 is the command name in parentheses and may itself contain spaces and ')', so
  // count fields from the last ')'; the first field after it is field 3 (state).
  const std::size_t close = text->rfind(')');
  if (close == std::string::npos) return std::nullopt;
  const auto fields = split_spaces(std::string_view(*text).substr(close + 1));
  constexpr std::size_t kFirst = 3, kUtime = 14, kStime = 15, kStarttime = 22;
  if (fields.size() <= kStarttime - kFirst) return std::nullopt;
  const auto utime = parse_u64(fields[kUtime - kFirst]);
  const auto stime = parse_u64(fields[kStime - kFirst]);
  const auto starttime = parse_u64(fields[kStarttime - kFirst]);
  if (!utime || !stime || !starttime) return std::nullopt;
  return SelfStat{*utime, *stime, *starttime};
}

std::optional<std::uint64_t> read_boot_time() {
  const auto text = read_file("/proc/stat");
  if (!text) return std::nullopt;
  constexpr std::string_view kKey = "\nbtime ";
  const std::size_t at = text->find(kKey);
  if (at == std::string::npos) return std::nullopt;
  const std::size_t start = at + kKey.size();
  return parse_u64(std::string_view(*text).substr(start, text->find('\n', start) - start));
}

std::optional<double> read_start_time(long ticks_per_second) {
  const auto stat = read_self_stat();
  const auto boot = read_boot_time();
  if (!stat || !boot || ticks_per_second <= 0) return std::nullopt;
  return static_cast<double>(*boot) +
         static_cast<double>(stat->starttime) / static_cast<double>(ticks_per_second);
}

std::optional<std::uint64_t> count_open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (dir == nullptr) return std::nullopt;
  // The directory handle is itself an open descriptor that exists only while we count.
  const int own = ::dirfd(dir);
  std::uint64_t n = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string_view name = entry->d_name;
    if (name == "." || name == "..") continue;
    if (parse_u64(name) == static_cast<std::uint64_t>(own)) continue;
    ++n;
  }
  ::closedir(dir);
  return n;
}

void append_one(std::string& out, std::string_view name, std::string_view help, MetricType type,
                double value) {
  append_header(out, name, help, type);
  append_sample(out, name, {}, value);
}

}  // namespace

void register_process_metrics(Registry& r) {
  const long page_size = ::sysconf(_SC_PAGESIZE);
  const long ticks = ::sysconf(_SC_CLK_TCK);
  // Start time cannot change, and /proc/stat grows with the number of CPUs: read it once.
  const std::optional<double> start_time = read_start_time(ticks);

  r.add_collector([page_size, ticks, start_time](std::string& out) {
    if (const auto stat = read_self_stat(); stat && ticks > 0) {
      append_one(out, "process_cpu_seconds_total",
                 "Total user and system CPU time spent in seconds.", MetricType::counter,
                 static_cast<double>(stat->utime + stat->stime) / static_cast<double>(ticks));
    }

    if (rlimit limit{}; ::getrlimit(RLIMIT_NOFILE, &limit) == 0) {
      append_one(out, "process_max_fds", "Maximum number of open file descriptors.",
                 MetricType::gauge,
                 limit.rlim_cur == RLIM_INFINITY ? std::numeric_limits<double>::infinity()
                                                 : static_cast<double>(limit.rlim_cur));
    }

    if (const auto fds = count_open_fds()) {
      append_one(out, "process_open_fds", "Number of open file descriptors.", MetricType::gauge,
                 static_cast<double>(*fds));
    }

    std::optional<std::uint64_t> size_pages, resident_pages;
    if (const auto statm = read_file("/proc/self/statm"); statm && page_size > 0) {
      const auto fields = split_spaces(*statm);
      if (fields.size() >= 2) {
        size_pages = parse_u64(fields[0]);
        resident_pages = parse_u64(fields[1]);
      }
    }
    if (resident_pages) {
      append_one(out, "process_resident_memory_bytes", "Resident memory size in bytes.",
                 MetricType::gauge,
                 static_cast<double>(*resident_pages) * static_cast<double>(page_size));
    }

    if (start_time) {
      append_one(out, "process_start_time_seconds",
                 "Start time of the process since unix epoch in seconds.", MetricType::gauge,
                 *start_time);
    }

    if (size_pages) {
      append_one(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.",
                 MetricType::gauge,
                 static_cast<double>(*size_pages) * static_cast<double>(page_size));
    }
  });
}

}  // namespace bazaar::telemetry
