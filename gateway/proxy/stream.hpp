#pragma once
// Internal to gateway/proxy (.cpp files only): a byte stream the proxy reads and writes with
// per-operation deadlines, plain TCP or TLS behind one interface, so the HTTP code exists once.
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstddef>
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
  // Writes every piece, in order.
  virtual asio::awaitable<IoResult> write(std::vector<asio::const_buffer> pieces) = 0;
  // TLS close_notify where there is one; then the caller closes the socket.
  virtual asio::awaitable<void> shutdown() = 0;
  virtual tcp::socket& socket() = 0;
};

class PlainStream final : public Stream {
 public:
  explicit PlainStream(beast::tcp_stream stream) : stream_(std::move(stream)) {}
  void expires_after(std::chrono::milliseconds timeout) override;
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(std::vector<asio::const_buffer> pieces) override;
  asio::awaitable<void> shutdown() override;
  tcp::socket& socket() override { return stream_.socket(); }
  beast::tcp_stream& raw() { return stream_; }

 private:
  beast::tcp_stream stream_;
};

class TlsStream final : public Stream {
 public:
  explicit TlsStream(asio::ssl::stream<beast::tcp_stream> stream) : stream_(std::move(stream)) {}
  void expires_after(std::chrono::milliseconds timeout) override;
  asio::awaitable<IoResult> read_some(asio::mutable_buffer buffer) override;
  asio::awaitable<IoResult> write(std::vector<asio::const_buffer> pieces) override;
  asio::awaitable<void> shutdown() override;
  tcp::socket& socket() override { return stream_.next_layer().socket(); }

 private:
  asio::ssl::stream<beast::tcp_stream> stream_;
};

inline asio::const_buffer piece(std::string_view text) { return {text.data(), text.size()}; }

}  // namespace bazaar::gateway::proxy
