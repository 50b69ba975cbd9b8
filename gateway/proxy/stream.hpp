#pragma once
// Internal to gateway/proxy (.cpp files only): a byte stream the proxy reads and writes with
// per-operation deadlines, plain TCP or TLS behind one interface, so the HTTP code exists once.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
#include <memory>
#include <span>
#include <string_view>
#include <vector>

namespace bazaar::gateway::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
using tcp = asio::ip::tcp;

struct IoResult {
  boost::system::error_code ec;
  std::size_t bytes = 0;
};

class Stream {
 public:
  virtual ~Stream() = default;
  // Deadline for the operations that follow (beast::error::timeout when it passes).
  virtual void expires_after(std::chrono::milliseconds timeout) = 0;
  virtual asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) = 0;
  // Writes every piece, in order. The pieces (and what they point to) must stay alive until
  // the write completes; callers await it at once, so a local array or vector will do.
  virtual asio::awaitable<IoResult> write(std::span<const asio::const_buffer> pieces) = 0;
  // TLS close_notify where there is one; then the caller closes the socket.
  virtual asio::awaitable<void> shutdown() = 0;
  virtual tcp::socket& socket() = 0;
};

// A plain TCP connection. Its deadline is watched lazily: expires_after only notes a time, and
// one timer per connection, re-armed only when a deadline comes earlier than it is set for or
// passes while an operation waits, enforces it. Beast's tcp_stream starts and cancels a timer
// around every read and write: about a tenth of the instructions of a proxied request.
// The behaviour is Beast's: a deadline passing during an operation closes the socket and the
// operation ends with beast::error::timeout; one that passed before it starts does the same.
class PlainStream final : public Stream {
 public:
  explicit PlainStream(tcp::socket socket);
  ~PlainStream() override;
  PlainStream(const PlainStream&) = delete;
  PlainStream& operator=(const PlainStream&) = delete;

  void expires_after(std::chrono::milliseconds timeout) override;
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(std::span<const asio::const_buffer> pieces) override;
  asio::awaitable<void> shutdown() override;
  // Opens the socket and connects it, under the deadline set before.
  asio::awaitable<boost::system::error_code> connect(tcp::endpoint endpoint);
  tcp::socket& socket() override;
  // Bytes read from the connection and not used yet. It lives as long as the connection, so
  // a kept-alive upstream connection reads each answer without allocating a buffer again.
  beast::flat_buffer& read_buffer() { return read_buffer_; }

  struct Watched;  // the socket and its deadline, shared (weakly) with the timer's handler

 private:
  std::shared_ptr<Watched> watched_;
  beast::flat_buffer read_buffer_;
};

class TlsStream final : public Stream {
 public:
  explicit TlsStream(asio::ssl::stream<beast::tcp_stream> stream) : stream_(std::move(stream)) {}
  void expires_after(std::chrono::milliseconds timeout) override;
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(std::span<const asio::const_buffer> pieces) override;
  asio::awaitable<void> shutdown() override;
  tcp::socket& socket() override { return stream_.next_layer().socket(); }

 private:
  asio::ssl::stream<beast::tcp_stream> stream_;
};

inline asio::const_buffer piece(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace bazaar::gateway::proxy
