#pragma once
// The users table. Every call runs on the calling worker's own pool.
#include <optional>
#include <string>
#include <vector>

#include "chassis/core/runtime.hpp"
#include "chassis/pg/pool.hpp"
#include "services/user/domain/user.hpp"

namespace bazaar::user {

struct UserRow {
  std::string id;
  std::string name;
  std::string email;
  Role role = Role::user;
  std::string password_hash;  // only filled by find_by_email
};

enum class WriteResult { ok, not_found, duplicate_email };

class UserRepository {
 public:
  explicit UserRepository(PerWorker<pg::Pool>& pools) : pools_(pools) {}

  pg::Task<std::optional<UserRow>> find_by_id(std::string id);
  pg::Task<std::optional<UserRow>> find_by_email(std::string email);
  pg::Task<WriteResult> insert(UserRow row);
  // Users with id > after (all when empty), ordered by id; at most `limit`.
  pg::Task<std::vector<UserRow>> list(std::string after, int limit);
  // Only the fields that are set change.
  pg::Task<WriteResult> update(std::string id, UserPatch patch, std::optional<std::string> hash);
  pg::Task<bool> remove(std::string id);

 private:
  PerWorker<pg::Pool>& pools_;
};

}  // namespace bazaar::user
