#include "services/notification/user_directory.hpp"

#include <boost/json/value.hpp>
#include <stdexcept>

namespace bazaar::notification {
namespace json = boost::json;

namespace {
std::string without_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}
}  // namespace

UserDirectory::UserDirectory(boost::asio::any_io_executor executor, UserDirectoryOptions options)
    : options_(std::move(options)), client_(std::move(executor)) {
  options_.base_url = without_trailing_slash(options_.base_url);
}

void UserDirectory::remember(const std::string& user_id, const std::string& email) {
  auto now = std::chrono::steady_clock::now();
  if (cache_.size() >= options_.max_cached) {
    std::erase_if(cache_, [now](const auto& kv) { return kv.second.expires <= now; });
    // Still full of live entries: start over rather than grow without bound.
    if (cache_.size() >= options_.max_cached) cache_.clear();
  }
  cache_[user_id] = Entry{email, now + options_.cache_ttl};
}

http::Task<std::string> UserDirectory::email_of(std::string user_id,
                                                const telemetry::TraceContext* trace) {
  if (auto it = cache_.find(user_id); it != cache_.end()) {
    if (it->second.expires > std::chrono::steady_clock::now()) co_return it->second.email;
    cache_.erase(it);
  }
  http::ClientRequest request;
  request.url = options_.base_url + "/users/" + user_id;
  request.headers.emplace_back("Accept", "application/json");
  request.trace = trace;
  http::ClientResponse response;
  try {
    response = co_await client_.send(std::move(request), options_.timeout);
  } catch (const http::ClientError& e) {
    throw UserLookupFailed(std::string("user-service: ") + e.what());
  }
  if (response.status == 404) throw UserNotFound("user " + user_id + " does not exist");
  if (response.status != 200)
    throw UserLookupFailed("user-service answered " + std::to_string(response.status) +
                           " for user " + user_id);
  std::string email;
  try {
    email = std::string(response.json().at("email").as_string());
  } catch (const std::exception&) {
    throw UserLookupFailed("user-service: no e-mail address in the answer for user " + user_id);
  }
  remember(user_id, email);
  co_return email;
}

}  // namespace bazaar::notification
