#pragma once
// One io_context per core, each run by its own thread ("shared nothing"). A coroutine never
// changes thread, so per-worker resources (database pools, HTTP client pools) need no locks:
// PerWorker<T>::local() hands out the running worker's own instance.
#include <cstddef>
#include <functional>
#include <memory>
#include <vector>

namespace boost::asio {
class io_context;
}

namespace bazaar {

class Runtime {
 public:
  explicit Runtime(std::size_t workers);
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  std::size_t size() const { return contexts_.size(); }
  boost::asio::io_context& context(std::size_t worker);
  // The index of the worker whose thread is calling; only valid on a worker thread.
  static std::size_t current_worker();

  // Runs every worker (worker 0 on the calling thread) until all have stopped.
  void run();
  void stop();

 private:
  std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
};

template <class T>
class PerWorker {
 public:
  PerWorker(Runtime& rt, const std::function<std::unique_ptr<T>(std::size_t worker)>& make) {
    for (std::size_t i = 0; i < rt.size(); ++i) items_.push_back(make(i));
  }
  T& local() { return *items_[Runtime::current_worker()]; }
  T& at(std::size_t worker) { return *items_[worker]; }
  std::size_t size() const { return items_.size(); }

 private:
  std::vector<std::unique_ptr<T>> items_;
};

}  // namespace bazaar
