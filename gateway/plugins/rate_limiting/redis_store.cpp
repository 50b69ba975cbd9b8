#include "gateway/plugins/rate_limiting/redis_store.hpp"

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <exception>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "chassis/resilience/backoff.hpp"
#include "gateway/plugins/rate_limiting/redis_count_script.hpp"
#include "gateway/plugins/rate_limiting/resp.hpp"

namespace bazaar::gateway::rate_limiting {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;
using Clock = std::chrono::steady_clock;

namespace {

// Equal jitter over 100 ms * 2^n capped at 3 s: 50-100 ms after the first failed connect,
// 1.5-3 s once Redis has been away a while. Never zero, so a dead Redis costs each worker
// at most one connect attempt per pause, however many requests arrive.
constexpr std::chrono::milliseconds kBackoffBase{100};
constexpr std::chrono::milliseconds kBackoffCap{3000};
// OpenResty's cosockets read timeout 0 as "lua_socket_*_timeout", 60 s unless configured.
constexpr std::chrono::milliseconds kZeroTimeoutMeans{60000};
// Requests are written in batches of up to this many bytes, a few hundred commands.
constexpr std::size_t kMaxWriteBatch = 64 * 1024;

struct Request {
  RedisCount count;
  CountCallback done;
  Clock::time_point deadline;
  bool send_script = false;  // EVAL with the script's text: Redis did not know its hash
};

void fail(Request& request, const std::string& message) { request.done(CountResult{{}, message}); }

// A callback that throws is a bug of ours; let it surface from io_context::run instead of
// vanishing with a detached coroutine.
void rethrow(std::exception_ptr error) {
  if (error) std::rethrow_exception(error);
}

std::string describe(const error_code& ec) {
  if (ec == asio::error::eof) return "connection closed by the server";
  return ec.message();
}

// A reply, or why none could be read.
struct ReadResult {
  std::optional<RespValue> reply;
  std::string error;
};

}  // namespace

// Everything lives on one executor, so nothing here is locked. The coroutines that do the
// I/O hold a shared_ptr to it; a connection's coroutines belong to one generation and stop
// touching anything once the generation has moved on (the connection ended meanwhile).
class RedisStore::Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(asio::any_io_executor executor, RedisConfig config)
      : executor_(std::move(executor)),
        config_(std::move(config)),
        name_("Redis " + config_.host + ":" + std::to_string(config_.port)),
        timeout_(config_.timeout_ms > 0 ? std::chrono::milliseconds(config_.timeout_ms)
                                        : kZeroTimeoutMeans),
        resolver_(executor_),
        socket_(executor_),
        watchdog_(executor_) {}

  const asio::any_io_executor& executor() const { return executor_; }
  Clock::duration timeout() const { return timeout_; }

  void submit(Request request) {
    switch (state_) {
      case State::closed:
        fail(request, name_ + ": the rate-limiting store was shut down");
        return;
      case State::ready:
        waiting_.push_back(std::move(request));
        start_writer();
        return;
      case State::connecting:
        waiting_.push_back(std::move(request));
        return;
      case State::idle:
        if (const auto now = Clock::now(); now < retry_at_) {
          const auto wait = std::chrono::ceil<std::chrono::milliseconds>(retry_at_ - now);
          fail(request, last_error_ + " (next attempt in " + std::to_string(wait.count()) + " ms)");
          return;
        }
        waiting_.push_back(std::move(request));
        start_connecting();
        return;
    }
  }

  void close() {
    if (state_ == State::closed) return;
    state_ = State::closed;
    end_connection(name_ + ": the rate-limiting store was shut down", false);
    watchdog_.cancel();
  }

 private:
  enum class State { idle, connecting, ready, closed };

  void start_connecting() {
    state_ = State::connecting;
    connect_deadline_ = Clock::now() + timeout_;
    start_watchdog();
    asio::co_spawn(executor_, connect(shared_from_this(), generation_), rethrow);
  }

  // Resolves, connects, authenticates, selects the database, loads the script, then stays
  // on as the connection's reader until it ends.
  asio::awaitable<void> connect([[maybe_unused]] std::shared_ptr<Connection> keep_alive,
                                std::uint64_t generation) {
    error_code ec;
    const std::string port = std::to_string(config_.port);
    const auto endpoints = co_await resolver_.async_resolve(
        config_.host, port, asio::redirect_error(asio::use_awaitable, ec));
    if (generation != generation_) co_return;
    if (ec) {
      end_connection(name_ + ": cannot resolve the host: " + ec.message(), true);
      co_return;
    }
    co_await asio::async_connect(socket_, endpoints, asio::redirect_error(asio::use_awaitable, ec));
    if (generation != generation_) co_return;
    if (ec) {
      end_connection(name_ + ": cannot connect: " + ec.message(), true);
      co_return;
    }
    socket_.set_option(tcp::no_delay(true), ec);  // one small command per request: no Nagle
    decoder_.reset();

    // The handshake is pipelined too; each reply is checked in order.
    std::string handshake;
    std::vector<std::string_view> steps;
    if (!config_.password.empty()) {
      if (config_.username.empty()) {
        append_command(handshake, {"AUTH", config_.password});
      } else {
        append_command(handshake, {"AUTH", config_.username, config_.password});
      }
      steps.push_back("AUTH");
    }
    if (config_.database != 0) {
      const std::string database = std::to_string(config_.database);
      append_command(handshake, {"SELECT", database});
      steps.push_back("SELECT");
    }
    append_command(handshake, {"SCRIPT", "LOAD", count_script()});
    steps.push_back("SCRIPT LOAD");

    co_await asio::async_write(socket_, asio::buffer(handshake),
                               asio::redirect_error(asio::use_awaitable, ec));
    if (generation != generation_) co_return;
    if (ec) {
      end_connection(name_ + ": " + describe(ec), true);
      co_return;
    }
    for (std::string_view step : steps) {
      ReadResult result = co_await read_reply(generation);
      if (generation != generation_) co_return;
      if (!result.reply) {
        end_connection(name_ + ": " + result.error, true);
        co_return;
      }
      if (result.reply->is_error()) {
        end_connection(name_ + ": " + std::string(step) + " failed: " + result.reply->text, true);
        co_return;
      }
      if (step == "SCRIPT LOAD") {
        if (result.reply->type != RespValue::Type::bulk_string) {
          end_connection(name_ + ": SCRIPT LOAD did not answer with the script's hash", true);
          co_return;
        }
        script_sha_ = result.reply->text;
      }
    }

    state_ = State::ready;
    failed_connects_ = 0;
    start_writer();  // what arrived while connecting

    while (generation == generation_) {
      ReadResult result = co_await read_reply(generation);
      if (generation != generation_) co_return;
      if (!result.reply) {
        end_connection(name_ + ": " + result.error, false);
        co_return;
      }
      on_reply(std::move(*result.reply));
    }
  }

  // The next reply: from what was read already, else from the socket.
  asio::awaitable<ReadResult> read_reply(std::uint64_t generation) {
    for (;;) {
      std::string malformed;
      try {
        if (auto reply = decoder_.next()) co_return ReadResult{std::move(reply), {}};
      } catch (const RespProtocolError& error) {
        malformed = error.what();
      }
      if (!malformed.empty()) co_return ReadResult{std::nullopt, malformed};

      error_code ec;
      const std::size_t n = co_await socket_.async_read_some(
          asio::buffer(read_buffer_), asio::redirect_error(asio::use_awaitable, ec));
      if (generation != generation_) co_return ReadResult{std::nullopt, "connection ended"};
      if (ec) co_return ReadResult{std::nullopt, describe(ec)};
      decoder_.feed(std::string_view(read_buffer_.data(), n));
    }
  }

  void on_reply(RespValue reply) {
    if (in_flight_.empty()) {
      end_connection(name_ + ": sent a reply to no request", false);
      return;
    }
    Request request = std::move(in_flight_.front());
    in_flight_.pop_front();
    if (is_noscript_error(reply) && !request.send_script) {
      request.send_script = true;
      waiting_.push_back(std::move(request));
      start_writer();
      return;
    }
    request.done(parse_count_reply(reply, request.count.keys.size()));
  }

  void start_writer() {
    if (writing_ || waiting_.empty() || state_ != State::ready) return;
    writing_ = true;
    asio::co_spawn(executor_, write_waiting(shared_from_this(), generation_), rethrow);
  }

  // Writes what waits, in batches, until nothing does. Requests that arrive during a write
  // go out together in the next one.
  asio::awaitable<void> write_waiting([[maybe_unused]] std::shared_ptr<Connection> keep_alive,
                                      std::uint64_t generation) {
    std::string batch;
    while (generation == generation_ && !waiting_.empty()) {
      batch.clear();
      const bool was_idle = in_flight_.empty();
      while (!waiting_.empty() && batch.size() < kMaxWriteBatch) {
        Request& request = waiting_.front();
        append_count_command(batch, request.count,
                             request.send_script ? std::string_view() : script_sha_);
        in_flight_.push_back(std::move(request));
        waiting_.pop_front();
      }
      // The watchdog sleeps without a deadline while nothing is in flight: wake it.
      if (was_idle) watchdog_.cancel();
      error_code ec;
      co_await asio::async_write(socket_, asio::buffer(batch),
                                 asio::redirect_error(asio::use_awaitable, ec));
      if (generation != generation_) co_return;
      if (ec) {
        end_connection(name_ + ": " + describe(ec), false);
        co_return;
      }
    }
    if (generation == generation_) writing_ = false;
  }

  void start_watchdog() {
    if (watchdog_running_) {
      watchdog_.cancel();  // a new deadline, possibly earlier than the one it waits for
      return;
    }
    watchdog_running_ = true;
    asio::co_spawn(executor_, watch(shared_from_this()), rethrow);
  }

  Clock::time_point next_deadline() const {
    if (state_ == State::connecting) return connect_deadline_;
    if (state_ == State::ready && !in_flight_.empty()) return in_flight_.front().deadline;
    return Clock::time_point::max();
  }

  // Ends a connect or a connection that takes longer than the timeout: deadlines grow in
  // request order, so the oldest request in flight is the only one to watch.
  asio::awaitable<void> watch([[maybe_unused]] std::shared_ptr<Connection> keep_alive) {
    const auto timeout_ms = std::chrono::duration_cast<std::chrono::milliseconds>(timeout_);
    const std::string limit = " within " + std::to_string(timeout_ms.count()) + " ms";
    while (state_ != State::closed) {
      watchdog_.expires_at(next_deadline());
      error_code ec;
      co_await watchdog_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (next_deadline() > Clock::now()) continue;
      if (state_ == State::connecting) {
        end_connection(name_ + ": no connection" + limit, true);
      } else if (state_ == State::ready) {
        end_connection(name_ + ": no reply" + limit, true);
      }
    }
    watchdog_running_ = false;
  }

  // Drops the connection and answers every request that waits on it with `message`. After
  // a failed connect or a timeout, requests fail at once until the backoff has passed.
  void end_connection(const std::string& message, bool back_off) {
    ++generation_;
    error_code ignored;
    socket_.close(ignored);
    resolver_.cancel();
    decoder_.reset();
    writing_ = false;
    if (state_ != State::closed) state_ = State::idle;
    last_error_ = message;
    if (back_off) {
      const unsigned attempt = failed_connects_++;
      retry_at_ = Clock::now() + (backoff_.ceiling(attempt) + backoff_.delay(attempt, random_)) / 2;
    } else {
      retry_at_ = Clock::time_point{};
    }

    // Taken out first: a callback may add again, and must find the queues consistent.
    std::deque<Request> failed = std::move(in_flight_);
    in_flight_.clear();
    for (Request& request : waiting_) failed.push_back(std::move(request));
    waiting_.clear();
    for (Request& request : failed) fail(request, message);
  }

  const asio::any_io_executor executor_;
  const RedisConfig config_;
  const std::string name_;  // "Redis host:port", the start of every error message
  const Clock::duration timeout_;

  tcp::resolver resolver_;
  tcp::socket socket_;
  asio::steady_timer watchdog_;
  RespDecoder decoder_;
  std::array<char, 16 * 1024> read_buffer_{};

  State state_ = State::idle;
  std::uint64_t generation_ = 0;  // advances whenever a connection (attempt) ends
  bool writing_ = false;
  bool watchdog_running_ = false;
  Clock::time_point connect_deadline_{};
  std::deque<Request> waiting_;    // not written yet
  std::deque<Request> in_flight_;  // written; their replies come in this order
  std::string script_sha_;

  resilience::Backoff backoff_{kBackoffBase, kBackoffCap};
  std::mt19937_64 random_{std::random_device{}()};
  unsigned failed_connects_ = 0;
  Clock::time_point retry_at_{};
  std::string last_error_;
};

RedisStore::RedisStore(asio::any_io_executor executor, RedisConfig config) {
  if (config.ssl) {
    throw std::invalid_argument("redis.ssl is not supported by this gateway: use a TLS proxy");
  }
  if (config.host.empty()) throw std::invalid_argument("redis.host is required");
  connection_ = std::make_shared<Connection>(std::move(executor), std::move(config));
}

RedisStore::~RedisStore() {
  asio::dispatch(connection_->executor(), [connection = connection_] { connection->close(); });
}

void RedisStore::add(const CountQuery& query, CountCallback done) {
  // Copied here: the query's views are valid only during this call.
  Request request{make_redis_count(query), std::move(done), Clock::now() + connection_->timeout()};
  asio::dispatch(connection_->executor(),
                 [connection = connection_, request = std::move(request)]() mutable {
                   connection->submit(std::move(request));
                 });
}

}  // namespace bazaar::gateway::rate_limiting
