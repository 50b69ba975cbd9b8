#include "gateway/proxy/plain_request_head.hpp"

#include "gateway/proxy/plain_fields.hpp"

namespace bazaar::gateway::proxy {

namespace {

// Beast's request-target characters: anything visible, obs-text included; no SP, no control.
bool is_target_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u > 0x20 && u != 0x7f;
}

}  // namespace

std::optional<PlainRequestHead> parse_plain_request_head(std::string_view text) {
  PlainRequestHead head;
  // "METHOD SP target SP HTTP/1.x\r\n"
  std::size_t at = 0;
  while (at < text.size() && is_token_char(text[at])) ++at;
  if (at == 0 || at >= text.size() || text[at] != ' ') return std::nullopt;
  head.method = text.substr(0, at);
  const std::size_t target_from = ++at;
  while (at < text.size() && is_target_char(text[at])) ++at;
  if (at == target_from || at >= text.size() || text[at] != ' ') return std::nullopt;
  head.target = text.substr(target_from, at - target_from);
  ++at;
  if (text.size() - at < 10 || text.substr(at, 7) != "HTTP/1." ||
      (text[at + 7] != '0' && text[at + 7] != '1') || text[at + 8] != '\r' || text[at + 9] != '\n')
    return std::nullopt;
  head.version = text[at + 7] == '1' ? 11 : 10;
  at += 10;

  PlainFields fields;
  if (!parse_plain_fields(text, at, &fields)) return std::nullopt;
  if (fields.content_length) return std::nullopt;  // a body (or an empty one): Beast frames it
  head.fields = std::move(fields.fields);
  head.keep_alive =
      head.version == 11 ? !fields.first_connection_close : fields.first_connection_keep_alive;
  return head;
}

}  // namespace bazaar::gateway::proxy
