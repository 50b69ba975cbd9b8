#include "gateway/proxy/access_log.hpp"

#include <string>

#include "chassis/core/log.hpp"
#include "gateway/proxy/access_fields.hpp"

namespace bazaar::gateway::proxy {

void write_access_log(const AccessRecord& r) {
  if (!log::enabled(log::Level::info)) return;
  log::TraceIds ids;
  if (r.trace != nullptr) ids = r.trace->ids();
  const log::TraceIds* trace = r.trace != nullptr ? &ids : nullptr;
  // Sized for the worst case, grown when a line needs more and never shrunk, so building a
  // line neither reallocates nor clears.
  thread_local std::string buffer;
  const std::size_t room =
      log::line_start_room(log::Level::info, trace, "request") + access_fields_room(r);
  if (buffer.size() < room) buffer.resize(room);
  char* const start = buffer.data();
  char* end = log::write_line_start(start, log::Level::info, trace, "request");
  end = write_access_fields(end, r);
  log::write_line(log::Level::info, {start, static_cast<std::size_t>(end - start)});
}

}  // namespace bazaar::gateway::proxy
