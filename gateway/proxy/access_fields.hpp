#pragma once
// The access line's own fields, written in one pass: the access log's share of a proxied
// request's cost was mostly building them one std::string append at a time.
#include <cstddef>

#include "gateway/proxy/access_log.hpp"

namespace bazaar::gateway::proxy {

// Writes ,"method":…,"error":…}\n after a line begun by log::write_line_start, byte for byte
// what log::write printed for the same fields (latencies cut to whole microseconds), into a
// buffer with room for access_fields_room(record) bytes. Returns the end of the line.
std::size_t access_fields_room(const AccessRecord& record);
char* write_access_fields(char* out, const AccessRecord& record);

// Writes `ms` cut to whole microseconds as std::to_chars(double) would; returns the end.
// `out` needs room for 32 bytes.
char* write_millis(char* out, double ms);

}  // namespace bazaar::gateway::proxy
