#include "services/user/user_repository.hpp"

namespace bazaar::user {
namespace {
constexpr pg::Statement kById{"user_by_id",
                              "SELECT id, name, email, role FROM users WHERE id = $1"};
constexpr pg::Statement kByEmail{
    "user_by_email",
    "SELECT id, name, email, role, password_hash FROM users WHERE lower(email) = lower($1)"};
constexpr pg::Statement kInsert{
    "user_insert",
    "INSERT INTO users (id, name, email, password_hash, role) VALUES ($1, $2, $3, $4, $5)"};
constexpr pg::Statement kListFirst{"user_list_first",
                                   "SELECT id, name, email, role FROM users ORDER BY id LIMIT $1"};
constexpr pg::Statement kListAfter{
    "user_list_after",
    "SELECT id, name, email, role FROM users WHERE id > $1 ORDER BY id LIMIT $2"};
// COALESCE keeps a column whose new value is NULL (not part of the patch).
constexpr pg::Statement kUpdate{
    "user_update",
    "UPDATE users SET name = COALESCE($2, name), email = COALESCE($3, email),"
    " password_hash = COALESCE($4, password_hash), role = COALESCE($5, role),"
    " updated_at = now() WHERE id = $1"};
constexpr pg::Statement kDelete{"user_delete", "DELETE FROM users WHERE id = $1"};

UserRow row_at(const pg::Result& r, int i, bool with_hash) {
  UserRow u;
  u.id = r.get(i, 0);
  u.name = r.get(i, 1);
  u.email = r.get(i, 2);
  u.role = parse_role(r.get(i, 3)).value_or(Role::user);
  if (with_hash) u.password_hash = r.get(i, 4);
  return u;
}

bool is_duplicate(const pg::PgError& e) { return e.sqlstate == pg::kUniqueViolation; }
}  // namespace

pg::Task<std::optional<UserRow>> UserRepository::find_by_id(std::string id) {
  pg::Params params{std::move(id)};
  auto r = co_await pools_.local().query(kById, std::move(params));
  if (r.rows() == 0) co_return std::nullopt;
  co_return row_at(r, 0, false);
}

pg::Task<std::optional<UserRow>> UserRepository::find_by_email(std::string email) {
  pg::Params params{std::move(email)};
  auto r = co_await pools_.local().query(kByEmail, std::move(params));
  if (r.rows() == 0) co_return std::nullopt;
  co_return row_at(r, 0, true);
}

pg::Task<WriteResult> UserRepository::insert(UserRow u) {
  bool duplicate = false;
  try {
    pg::Params params{u.id, u.name, u.email, u.password_hash, std::string(to_string(u.role))};
    co_await pools_.local().query(kInsert, std::move(params));
  } catch (const pg::PgError& e) {
    if (!is_duplicate(e)) throw;
    duplicate = true;
  }
  co_return duplicate ? WriteResult::duplicate_email : WriteResult::ok;
}

pg::Task<std::vector<UserRow>> UserRepository::list(std::string after, int limit) {
  pg::Params params{std::to_string(limit)};
  if (!after.empty()) params.insert(params.begin(), std::move(after));
  auto r = co_await pools_.local().query(params.size() == 1 ? kListFirst : kListAfter,
                                         std::move(params));
  std::vector<UserRow> out;
  out.reserve(static_cast<std::size_t>(r.rows()));
  for (int i = 0; i < r.rows(); ++i) out.push_back(row_at(r, i, false));
  co_return out;
}

pg::Task<WriteResult> UserRepository::update(std::string id, UserPatch p,
                                             std::optional<std::string> hash) {
  pg::Params params{std::move(id), p.name, p.email, std::move(hash),
                    p.role ? pg::Param(std::string(to_string(*p.role))) : std::nullopt};
  long long changed = 0;
  bool duplicate = false;
  try {
    auto r = co_await pools_.local().query(kUpdate, std::move(params));
    changed = r.affected_rows();
  } catch (const pg::PgError& e) {
    if (!is_duplicate(e)) throw;
    duplicate = true;
  }
  if (duplicate) co_return WriteResult::duplicate_email;
  co_return changed == 0 ? WriteResult::not_found : WriteResult::ok;
}

pg::Task<bool> UserRepository::remove(std::string id) {
  pg::Params params{std::move(id)};
  auto r = co_await pools_.local().query(kDelete, std::move(params));
  co_return r.affected_rows() > 0;
}

}  // namespace bazaar::user
