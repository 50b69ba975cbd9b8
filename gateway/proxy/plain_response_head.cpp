#include "gateway/proxy/plain_response_head.hpp"

#include "gateway/proxy/plain_fields.hpp"

namespace bazaar::gateway::proxy {

std::optional<PlainResponseHead> parse_plain_response_head(std::string_view text,
                                                           bool head_request) {
  PlainResponseHead head;
  // "HTTP/1.x SSS reason\r\n"
  if (text.size() < 13 || text.substr(0, 7) != "HTTP/1." || (text[7] != '0' && text[7] != '1') ||
      text[8] != ' ' || !is_digit(text[9]) || !is_digit(text[10]) || !is_digit(text[11]) ||
      text[12] != ' ')
    return std::nullopt;
  head.version = text[7] == '1' ? 11 : 10;
  head.status = (text[9] - '0') * 100 + (text[10] - '0') * 10 + (text[11] - '0');
  if (head.status < 100) return std::nullopt;
  std::size_t at = 13;
  const auto reason = plain_line(text, &at);
  if (!reason) return std::nullopt;
  head.reason = *reason;

  PlainFields fields;
  if (!parse_plain_fields(text, at, &fields)) return std::nullopt;
  head.fields = std::move(fields.fields);
  head.content_length = fields.content_length;
  head.head_length = text.size();

  const bool bodiless =
      head_request || head.status / 100 == 1 || head.status == 204 || head.status == 304;
  if (!bodiless && !head.content_length) return std::nullopt;  // chunked or close-delimited
  head.has_body = !bodiless && *head.content_length > 0;
  // Beast's parser: HTTP/1.1 unless a Connection says close, HTTP/1.0 only if one says
  // keep-alive (Proxy-Connection counting as Connection).
  head.keep_alive = head.version == 11 ? !fields.close : fields.keep_alive;
  return head;
}

}  // namespace bazaar::gateway::proxy
