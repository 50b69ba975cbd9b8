// Pieces of HTTP/1.1 both sides of the proxy use: body reading through Beast's parser from
// our own buffer, and writing the responses the gateway generates itself.
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/status.hpp>
#include <ctime>
#include <limits>

#include "gateway/proxy/exchange.hpp"

namespace bazaar::gateway::proxy {

namespace {

template <bool isRequest>
asio::awaitable<BodyPiece> next_body_piece(Stream* stream, beast::flat_buffer* buffer,
                                           bhttp::parser<isRequest, bhttp::buffer_body>* parser,
                                           char* out, std::size_t capacity) {
  for (;;) {
    if (parser->is_done()) co_return BodyPiece{0, true, {}};
    parser->get().body().data = out;
    parser->get().body().size = capacity;
    boost::system::error_code ec;
    std::size_t used = 0;
    if (buffer->size() > 0) {
      used = parser->put(buffer->data(), ec);
      buffer->consume(used);
    } else {
      ec = bhttp::error::need_more;
    }
    if (ec == bhttp::error::need_buffer) ec = {};
    const std::size_t produced = capacity - parser->get().body().size;
    if (produced > 0) co_return BodyPiece{produced, parser->is_done(), {}};
    if (!ec && parser->is_done()) co_return BodyPiece{0, true, {}};
    if (ec && ec != bhttp::error::need_more) co_return BodyPiece{0, false, ec};
    if (!ec && used > 0) continue;  // framing consumed (a chunk header), no data yet
    auto got = co_await stream->read_some(buffer->prepare(16 * 1024));
    if (got.ec == asio::error::eof) {
      parser->put_eof(ec);  // completes a body delimited by the connection's end
      if (ec) co_return BodyPiece{0, false, ec};
      continue;
    }
    if (got.ec) co_return BodyPiece{0, false, got.ec};
    buffer->commit(got.bytes);
  }
}

}  // namespace

asio::awaitable<BodyPiece> next_request_body_piece(Stream* stream, beast::flat_buffer* buffer,
                                                   RequestParser* parser, char* out,
                                                   std::size_t capacity) {
  return next_body_piece<true>(stream, buffer, parser, out, capacity);
}

asio::awaitable<BodyPiece> next_response_body_piece(Stream* stream, beast::flat_buffer* buffer,
                                                    ResponseParser* parser, char* out,
                                                    std::size_t capacity) {
  return next_body_piece<false>(stream, buffer, parser, out, capacity);
}

std::string_view http_date() {
  thread_local std::time_t cached_at = 0;
  thread_local char text[40];
  const std::time_t now = std::time(nullptr);
  if (now != cached_at) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    cached_at = now;
  }
  return text;
}

std::string_view reason_phrase(int status) {
  const auto text = bhttp::obsolete_reason(static_cast<bhttp::status>(status));
  return {text.data(), text.size()};
}

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

asio::awaitable<bool> write_gateway_response(Exchange* x, GatewayResponse response) {
  x->status = response.status;
  const bool keep_alive =
      x->client_keep_alive && !x->close_connection && !x->state->draining.load();
  std::string head;
  head.reserve(256 + response.body.size());
  head.append(x->version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  head.append(std::to_string(response.status)).push_back(' ');
  head.append(reason_phrase(response.status)).append("\r\nDate: ");
  head.append(http_date()).append("\r\nContent-Type: ");
  head.append(kKongJsonContentType).append("\r\nContent-Length: ");
  head.append(std::to_string(response.body.size())).append("\r\n");
  for (const Header& h : response.headers)
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  for (const rate_limiting::ClientHeader& h : x->access.response_headers)
    head.append(h.name).append(": ").append(h.value).append("\r\n");
  head.append("X-Kong-Response-Latency: ")
      .append(std::to_string(static_cast<long long>(ms_since(x->start))))
      .append("\r\nServer: bazaar-gateway\r\n");
  if (!keep_alive && x->version == 11) head.append("Connection: close\r\n");
  if (keep_alive && x->version == 10) head.append("Connection: keep-alive\r\n");
  head.append("\r\n");
  if (!keep_alive) x->close_connection = true;
  x->client->expires_after(x->state->options.read_timeout);
  std::vector<asio::const_buffer> pieces{piece(head), piece(response.body)};
  auto written = co_await x->client->write(std::move(pieces));
  if (written.ec) x->close_connection = true;
  co_return !written.ec;
}

}  // namespace bazaar::gateway::proxy
