#pragma once
// Identifiers: random UUIDv4 for entities, W3C-sized random hex for traces.
#include <string>
#include <string_view>

namespace bazaar::ids {

std::string uuid_v4();
// True for the canonical 8-4-4-4-12 hex form (either case).
bool is_uuid(std::string_view text);
// `bytes` random bytes as lower-case hex (2 * bytes characters), never all zero.
std::string random_hex(std::size_t bytes);

}  // namespace bazaar::ids
