#include "gateway/proxy/stream.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace bazaar::gateway::proxy {

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

// The same for a plain and a TLS stream: errors come back as values, never as exceptions.
template <class Stream>
asio::awaitable<IoResult> read_some_from(Stream* stream, asio::mutable_buffer buffer) {
  auto [ec, n] = co_await stream->async_read_some(buffer, nothrow);
  co_return IoResult{ec, n};
}

template <class Stream>
asio::awaitable<IoResult> write_to(Stream* stream, std::vector<asio::const_buffer> pieces) {
  auto [ec, n] = co_await asio::async_write(*stream, pieces, nothrow);
  co_return IoResult{ec, n};
}
}  // namespace

void PlainStream::expires_after(std::chrono::milliseconds timeout) {
  stream_.expires_after(timeout);
}

asio::awaitable<IoResult> PlainStream::read_some(asio::mutable_buffer buffer) {
  return read_some_from(&stream_, buffer);
}

asio::awaitable<IoResult> PlainStream::write(std::vector<asio::const_buffer> pieces) {
  return write_to(&stream_, std::move(pieces));
}

asio::awaitable<void> PlainStream::shutdown() {
  boost::system::error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  co_return;
}

void TlsStream::expires_after(std::chrono::milliseconds timeout) {
  stream_.next_layer().expires_after(timeout);
}

asio::awaitable<IoResult> TlsStream::read_some(asio::mutable_buffer buffer) {
  return read_some_from(&stream_, buffer);
}

asio::awaitable<IoResult> TlsStream::write(std::vector<asio::const_buffer> pieces) {
  return write_to(&stream_, std::move(pieces));
}

asio::awaitable<void> TlsStream::shutdown() {
  stream_.next_layer().expires_after(std::chrono::seconds(2));
  auto [ec] = co_await stream_.async_shutdown(nothrow);
  (void)ec;  // the peer may well have gone already
}

}  // namespace bazaar::gateway::proxy
