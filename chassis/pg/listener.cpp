#include "chassis/pg/listener.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <utility>

#include "chassis/pg/connection.hpp"

namespace bazaar::pg {
namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using namespace detail;

struct Listener::Impl {
  asio::any_io_executor executor;
  std::string conninfo;
  std::unique_ptr<Conn> conn;
  std::chrono::milliseconds timeout{5'000};
  asio::steady_timer* waiting = nullptr;  // the running wait's timer; wake() cancels it
  bool woken = false;

  bool take_notifications() {
    bool any = false;
    while (PGnotify* n = PQnotifies(conn->pg)) {
      PQfreemem(n);
      any = true;
    }
    return any;
  }
};

Listener::Listener(asio::any_io_executor executor, std::string conninfo)
    : impl_(std::make_unique<Impl>(Impl{std::move(executor), std::move(conninfo), nullptr})) {}

void Listener::wake() {
  impl_->woken = true;
  if (impl_->waiting) impl_->waiting->cancel();
}

Listener::~Listener() = default;

bool Listener::connected() const { return impl_->conn && !impl_->conn->broken; }

Task<void> Listener::listen(std::string channel) {
  Impl* impl = impl_.get();
  impl->conn.reset();
  impl->conn = co_await open_connection(impl->executor, impl->conninfo, impl->timeout);
  // The channel is ours (a constant per service), not user input, but quote it anyway.
  std::string sql = "LISTEN \"" + channel + "\"";
  co_await execute(impl->conn.get(), nullptr, sql, {}, Clock::now() + impl->timeout);
}

Task<bool> Listener::wait(std::chrono::milliseconds timeout) {
  Impl* impl = impl_.get();
  if (!connected()) throw PgError(PgError::Kind::unavailable, "postgres: listener not connected");
  Conn* c = impl->conn.get();
  if (PQconsumeInput(c->pg) == 0) {
    c->broken = true;
    throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
  }
  bool woken = std::exchange(impl->woken, false);
  // Notifications are taken either way: one that arrived with a wake is spent by it.
  if (impl->take_notifications() || woken) co_return true;
  c->watch_current_socket();
  asio::steady_timer timer(impl->executor, timeout);
  impl->waiting = &timer;
  struct Unregister {
    Impl* impl;
    ~Unregister() { impl->waiting = nullptr; }
  } unregister{impl};
  // The timer's wait reports cancellation (wake) as a result rather than an exception, so
  // that it ends the race like the timeout does.
  auto r =
      co_await (c->sock.async_wait(asio::posix::descriptor_base::wait_read, asio::use_awaitable) ||
                timer.async_wait(asio::as_tuple(asio::use_awaitable)));
  if (r.index() == 1) co_return std::exchange(impl->woken, false);
  if (PQconsumeInput(c->pg) == 0 || PQstatus(c->pg) != CONNECTION_OK) {
    c->broken = true;
    throw PgError(PgError::Kind::unavailable, pq_message(c->pg));
  }
  co_return impl->take_notifications();
}

Task<bool> Listener::try_lock(long long key) {
  Impl* impl = impl_.get();
  if (!connected()) throw PgError(PgError::Kind::unavailable, "postgres: listener not connected");
  Params params{std::to_string(key)};
  auto r = co_await execute(impl->conn.get(), nullptr, "SELECT pg_try_advisory_lock($1)",
                            std::move(params), Clock::now() + impl->timeout);
  co_return r.get(0, 0) == "t";
}

}  // namespace bazaar::pg
