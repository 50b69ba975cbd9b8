#pragma once
// Auto-commit statements multiplexed over a few connections in libpq pipeline mode: many
// requests' queries travel on one connection without waiting for each other's answers, so
// the server reads and answers them in batches. Internal to chassis/pg.
#include <boost/asio/any_io_executor.hpp>
#include <memory>

#include "chassis/pg/pool.hpp"

namespace bazaar::pg::detail {

class Pipeline {
 public:
  Pipeline(boost::asio::any_io_executor executor, PoolOptions options);
  ~Pipeline();
  Task<Result> run(const char* prepared_name, std::string sql, Params params);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace bazaar::pg::detail
