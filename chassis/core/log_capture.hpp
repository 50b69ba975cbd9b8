#pragma once
// For tests of what gets logged: runs `f` with the log's output sent into a pipe and returns
// what it wrote. Header-only, so that unit tests need no extra library.
#include <unistd.h>

#include <functional>
#include <string>

#include "chassis/core/log.hpp"

namespace bazaar::log {

inline std::string capture_output(const std::function<void()>& f) {
  int fds[2];
  if (::pipe(fds) != 0) return {};
  set_output_fd(fds[1]);
  f();
  set_output_fd(1);
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return out;
}

}  // namespace bazaar::log
