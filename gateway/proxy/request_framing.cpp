#include "gateway/proxy/request_framing.hpp"

#include <cstring>

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

std::optional<std::string> raw_head_violation(std::string_view head) {
  // memchr jumps from line end to line end (vectorised) instead of testing every byte.
  for (std::size_t i = 0; i < head.size(); ++i) {
    const void* lf = std::memchr(head.data() + i, '\n', head.size() - i);
    if (lf == nullptr) break;
    i = static_cast<std::size_t>(static_cast<const char*>(lf) - head.data());
    if (i == 0 || head[i - 1] != '\r') return "bare LF in request head";
    if (i + 1 < head.size() && (head[i + 1] == ' ' || head[i + 1] == '\t'))
      return "obsolete line folding in request head";
  }
  return std::nullopt;
}

std::optional<std::string> framing_violation(const std::vector<Header>& headers) {
  const std::size_t lengths = count(headers, "content-length");
  const std::size_t encodings = count(headers, "transfer-encoding");
  if (lengths > 1) return "more than one Content-Length";
  if (lengths == 1 && encodings > 0) return "Content-Length with Transfer-Encoding";
  if (lengths == 1) {
    const std::string_view value = *first_value(headers, "content-length");
    if (value.empty() || value.size() > 18) return "invalid Content-Length";
    for (char c : value)
      if (c < '0' || c > '9') return "invalid Content-Length";
  }
  if (encodings > 1) return "more than one Transfer-Encoding";
  if (encodings == 1) {
    const auto items = split_list(*first_value(headers, "transfer-encoding"));
    if (items.size() != 1 || !iequals(items.front(), "chunked"))
      return "unsupported Transfer-Encoding";
  }
  return std::nullopt;
}

}  // namespace bazaar::gateway::proxy
