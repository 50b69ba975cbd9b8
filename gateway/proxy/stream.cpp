#include "gateway/proxy/stream.hpp"

#include <algorithm>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <cstdint>
#include <vector>

namespace bazaar::gateway::proxy {

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
using Clock = std::chrono::steady_clock;

// The same for a plain and a TLS stream: errors come back as values, never as exceptions.
template <class Stream>
asio::awaitable<IoResult> read_some_from(Stream* stream, asio::mutable_buffer buffer) {
  auto [ec, n] = co_await stream->async_read_some(buffer, nothrow);
  co_return IoResult{ec, n};
}

template <class Stream>
asio::awaitable<IoResult> write_to(Stream* stream, std::span<const asio::const_buffer> pieces) {
  auto [ec, n] = co_await asio::async_write(*stream, pieces, nothrow);
  co_return IoResult{ec, n};
}
}  // namespace

struct PlainStream::Watched {
  explicit Watched(tcp::socket s) : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  Clock::time_point deadline = Clock::time_point::max();  // max: none set
  Clock::time_point armed_for;                            // the timer's expiry while armed
  bool armed = false;
  std::uint64_t generation = 0;  // tells an expiry queued before a re-arm apart
  int pending = 0;               // operations waiting on the socket
  bool timed_out = false;        // the deadline closed the socket under an operation
};

namespace {

using Watched = PlainStream::Watched;

void arm(const std::shared_ptr<Watched>& watched, Clock::time_point at);

// The timer's handler. It holds the connection weakly: a connection may end (and be freed)
// with its timer still set, as one idle in the upstream pool does.
struct Expiry {
  std::weak_ptr<Watched> watched;
  std::uint64_t generation;

  void operator()(boost::system::error_code ec) const {
    if (ec == asio::error::operation_aborted) return;
    const auto w = watched.lock();
    if (!w || w->generation != generation) return;
    w->armed = false;
    if (w->pending == 0) return;       // nothing to cut short; the next operation arms it again
    if (Clock::now() < w->deadline) {  // the deadline moved on since it was armed
      arm(w, w->deadline);
      return;
    }
    w->timed_out = true;
    boost::system::error_code ignored;
    w->socket.close(ignored);  // ends the waiting operation, as Beast's timeout does
  }
};

void arm(const std::shared_ptr<Watched>& watched, Clock::time_point at) {
  ++watched->generation;
  watched->armed = true;
  watched->armed_for = at;
  watched->timer.expires_at(at);  // cancels a wait in flight
  watched->timer.async_wait(Expiry{watched, watched->generation});
}

void begin_operation(const std::shared_ptr<Watched>& watched) {
  ++watched->pending;
  if (!watched->armed && watched->deadline != Clock::time_point::max())
    arm(watched, watched->deadline);  // fires at once when the deadline already passed
}

void end_operation(Watched& watched, boost::system::error_code& ec) {
  --watched.pending;
  if (watched.timed_out) {
    watched.timed_out = false;
    ec = beast::error::timeout;
  }
}

}  // namespace

PlainStream::PlainStream(tcp::socket socket)
    : watched_(std::make_shared<Watched>(std::move(socket))) {}

PlainStream::~PlainStream() = default;

tcp::socket& PlainStream::socket() { return watched_->socket; }

void PlainStream::expires_after(std::chrono::milliseconds timeout) {
  Watched& w = *watched_;
  w.deadline = Clock::now() + timeout;
  // A timer set for later is brought forward; one set for earlier re-arms itself when it
  // fires, so the usual case (the same timeouts again and again) costs no timer work. An
  // operation already waiting without a timer gets one, as with Beast.
  if (w.armed ? w.deadline < w.armed_for : w.pending > 0) arm(watched_, w.deadline);
}

asio::awaitable<IoResult> PlainStream::read_some(asio::mutable_buffer buffer) {
  begin_operation(watched_);
  auto [ec, n] = co_await watched_->socket.async_read_some(buffer, nothrow);
  end_operation(*watched_, ec);
  co_return IoResult{ec, n};
}

asio::awaitable<IoResult> PlainStream::write(std::span<const asio::const_buffer> pieces) {
  // A head or a small body nearly always fits in the socket's send buffer. Sent at once, the
  // write is over without a trip through the reactor and the scheduler; what does not fit
  // waits for the socket asynchronously. (A deadline already passed takes the asynchronous
  // path too, which fails it as before.)
  Watched& w = *watched_;
  std::size_t sent = 0;
  if (w.deadline == Clock::time_point::max() || Clock::now() < w.deadline) {
    boost::system::error_code ec;
    if (!w.socket.non_blocking()) w.socket.non_blocking(true, ec);
    if (!ec) sent = w.socket.write_some(pieces, ec);
    if (!ec && sent == asio::buffer_size(pieces)) co_return IoResult{ec, sent};
    if (ec && ec != asio::error::would_block) co_return IoResult{ec, sent};
  }
  std::vector<asio::const_buffer> rest;  // what the first try left
  std::size_t skip = sent;
  for (asio::const_buffer piece : pieces) {
    const std::size_t skipped = std::min(skip, piece.size());
    skip -= skipped;
    if (piece.size() > skipped) rest.push_back(piece + skipped);
  }
  begin_operation(watched_);
  auto [ec, n] = co_await asio::async_write(w.socket, rest, nothrow);
  end_operation(w, ec);
  co_return IoResult{ec, sent + n};
}

asio::awaitable<boost::system::error_code> PlainStream::connect(tcp::endpoint endpoint) {
  begin_operation(watched_);
  auto [ec] = co_await watched_->socket.async_connect(endpoint, nothrow);
  end_operation(*watched_, ec);
  co_return ec;
}

asio::awaitable<void> PlainStream::shutdown() {
  boost::system::error_code ignored;
  watched_->socket.shutdown(tcp::socket::shutdown_send, ignored);
  co_return;
}

void TlsStream::expires_after(std::chrono::milliseconds timeout) {
  stream_.next_layer().expires_after(timeout);
}

asio::awaitable<IoResult> TlsStream::read_some(asio::mutable_buffer buffer) {
  return read_some_from(&stream_, buffer);
}

asio::awaitable<IoResult> TlsStream::write(std::span<const asio::const_buffer> pieces) {
  return write_to(&stream_, pieces);
}

asio::awaitable<void> TlsStream::shutdown() {
  stream_.next_layer().expires_after(std::chrono::seconds(2));
  auto [ec] = co_await stream_.async_shutdown(nothrow);
  (void)ec;  // the peer may well have gone already
}

}  // namespace bazaar::gateway::proxy
