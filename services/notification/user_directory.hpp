#pragma once
// Users' e-mail addresses, asked of user-service (GET /users/{id}) with a deadline and kept for
// a while, so that a burst of notifications for one user costs one call.
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <unordered_map>

#include "chassis/core/errors.hpp"
#include "chassis/http/client.hpp"

namespace bazaar::notification {

// user-service says there is no such user: no retry will find one.
struct UserNotFound : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// user-service did not answer usefully (down, slow, 5xx): try again later.
struct UserLookupFailed : Failure {
  using Failure::Failure;
  bool transient() const override { return true; }
};

struct UserDirectoryOptions {
  std::string base_url;  // USER_SERVICE_URL, e.g. http://127.0.0.1:8081
  std::chrono::milliseconds timeout{2'000};
  std::chrono::milliseconds cache_ttl{300'000};
  std::size_t max_cached = 10'000;
};

// Not thread-safe: one executor (the sender's worker) uses it.
class UserDirectory {
 public:
  UserDirectory(boost::asio::any_io_executor executor, UserDirectoryOptions options);

  // The user's e-mail address. Throws UserNotFound or UserLookupFailed.
  http::Task<std::string> email_of(std::string user_id, const telemetry::TraceContext* trace);

 private:
  struct Entry {
    std::string email;
    std::chrono::steady_clock::time_point expires;
  };
  void remember(const std::string& user_id, const std::string& email);

  UserDirectoryOptions options_;
  http::Client client_;
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace bazaar::notification
