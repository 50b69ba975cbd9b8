#pragma once
// The HTTP surface of user-service: users, tokens, the JWKS and the contract itself.
#include <chrono>
#include <string>

#include "chassis/auth/jwt.hpp"
#include "chassis/auth/password.hpp"
#include "chassis/http/router.hpp"
#include "services/user/user_repository.hpp"

namespace boost::asio {
class thread_pool;
}

namespace bazaar::user {

struct UserApi {
  UserRepository& repo;
  const auth::RsaKey& key;
  const auth::PasswordHasher& hasher;
  boost::asio::thread_pool& crypto;  // argon2id runs here, never on an event loop
  std::string issuer;
  std::chrono::seconds token_ttl;
};

void add_user_routes(http::Router& router, UserApi& api);

// Creates the configured admin account when no user has that e-mail yet.
pg::Task<void> ensure_bootstrap_admin(UserApi* api, std::string email, std::string password);

}  // namespace bazaar::user
