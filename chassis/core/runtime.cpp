#include "chassis/core/runtime.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <thread>

namespace bazaar {
namespace {
thread_local std::size_t t_worker = 0;
}

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
      auto guard = boost::asio::make_work_guard(*contexts_[i]);
      contexts_[i]->run();
    });
  }
  t_worker = 0;
  {
    auto guard = boost::asio::make_work_guard(*contexts_[0]);
    contexts_[0]->run();
  }
  for (auto& t : threads) t.join();
}

void Runtime::stop() {
  for (auto& c : contexts_) c->stop();
}

}  // namespace bazaar
