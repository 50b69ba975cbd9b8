#include "chassis/core/runtime.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <memory>
#include <thread>

#include "chassis/core/log.hpp"

namespace bazaar {
namespace {
thread_local std::size_t t_worker = 0;

// Writes the worker's batched log lines every 50 ms, so a quiet service's lines are not held.
void schedule_log_flush(std::shared_ptr<boost::asio::steady_timer> timer) {
  timer->expires_after(std::chrono::milliseconds(50));
  timer->async_wait([timer](const boost::system::error_code& ec) {
    log::flush_this_thread();
    if (!ec) schedule_log_flush(timer);
  });
}

void run_worker(boost::asio::io_context& ctx) {
  log::buffer_this_thread();
  schedule_log_flush(std::make_shared<boost::asio::steady_timer>(ctx));
  auto guard = boost::asio::make_work_guard(ctx);
  ctx.run();
  log::flush_this_thread();
}
}  // namespace

Runtime::Runtime(std::size_t workers) {
  if (workers == 0) workers = 1;
  for (std::size_t i = 0; i < workers; ++i)
    contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
}

Runtime::~Runtime() = default;

boost::asio::io_context& Runtime::context(std::size_t worker) { return *contexts_.at(worker); }

std::size_t Runtime::current_worker() { return t_worker; }

void Runtime::run() {
  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < contexts_.size(); ++i) {
    threads.emplace_back([this, i] {
      t_worker = i;
      run_worker(*contexts_[i]);
    });
  }
  t_worker = 0;
  run_worker(*contexts_[0]);
  for (auto& t : threads) t.join();
}

void Runtime::stop() {
  for (auto& c : contexts_) c->stop();
}

}  // namespace bazaar
