#include "services/user/user_api.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>

#include "chassis/core/ids.hpp"
#include "chassis/core/log.hpp"
#include "chassis/http/json_body.hpp"
#include "chassis/http/operational.hpp"
#include "chassis/http/paging.hpp"
#include "services/user/openapi.hpp"

namespace bazaar::user {
namespace asio = boost::asio;
namespace json = boost::json;
using http::field_errors;
using http::json_body;
using http::problem;
using http::Request;
using http::Response;
using http::Task;

namespace {

json::object user_json(const UserRow& u) {
  return {{"id", u.id}, {"name", u.name}, {"email", u.email}, {"role", to_string(u.role)}};
}

// The body parsed and checked by `validate`, or the 400/415/422 answer explaining why not.
template <class T>
std::variant<T, Response> validated(const Request& req,
                                    std::variant<T, FieldErrors> (*validate)(const json::object&)) {
  auto body = json_body(req);
  if (auto* r = std::get_if<Response>(&body)) return std::move(*r);
  auto valid = validate(std::get<json::object>(body));
  if (auto* errors = std::get_if<FieldErrors>(&valid)) return field_errors(*errors);
  return std::get<T>(std::move(valid));
}

Response bad_id() { return problem(400, "the user id must be a UUID"); }
Response not_found(std::string_view id) {
  return problem(404, "no user with id " + std::string(id));
}
Response duplicate() { return problem(409, "a user with this e-mail already exists"); }

Response unauthorized(std::string_view why) {
  Response r = problem(401, why);
  r.headers.emplace_back("WWW-Authenticate", "Bearer error=\"invalid_token\"");
  return r;
}

long long unix_now() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The caller's verified claims, or nullopt when no Authorization header was sent.
std::variant<std::optional<auth::Claims>, Response> caller(const UserApi& api, const Request& req) {
  auto h = req.header("authorization");
  if (h.empty()) return std::optional<auth::Claims>{};
  if (h.size() < 8 || ::strncasecmp(h.data(), "Bearer ", 7) != 0)
    return unauthorized("Authorization must be a Bearer token");
  auto verdict = api.key.verify(h.substr(7), unix_now(), api.issuer);
  if (auto* err = std::get_if<auth::VerifyError>(&verdict))
    return unauthorized("invalid token: " + std::string(auth::to_string(*err)));
  return std::optional<auth::Claims>(std::get<auth::Claims>(std::move(verdict)));
}

// Requires an admin's token; `what` completes "only an admin may …".
std::optional<Response> require_admin(const UserApi& api, const Request& req,
                                      std::string_view what) {
  auto who = caller(api, req);
  if (auto* r = std::get_if<Response>(&who)) return std::move(*r);
  auto& claims = std::get<std::optional<auth::Claims>>(who);
  if (!claims) return unauthorized("an admin's Bearer token is required to " + std::string(what));
  if (claims->role != "admin") return problem(403, "only an admin may " + std::string(what));
  return std::nullopt;
}

// Requires a token that belongs to user `id` or to an admin.
std::optional<Response> require_self_or_admin(const std::optional<auth::Claims>& who,
                                              std::string_view id) {
  if (!who) return unauthorized("a Bearer token is required");
  if (who->role != "admin" && who->sub != id)
    return problem(403, "only the user themself or an admin may do this");
  return std::nullopt;
}

Task<std::string> hash_password(const auth::PasswordHasher* hasher, std::string password) {
  co_return hasher->hash(password);
}

Task<bool> verify_password(const auth::PasswordHasher* hasher, std::string stored,
                           std::string password) {
  if (stored.empty()) {
    hasher->verify_dummy(password);
    co_return false;
  }
  co_return hasher->verify(stored, password);
}

Task<std::string> hash_off_loop(UserApi* api, std::string password) {
  return asio::co_spawn(api->crypto, hash_password(&api->hasher, std::move(password)),
                        asio::use_awaitable);
}

Task<Response> get_user(UserApi* api, Request req) {
  auto id = std::string(req.param("id"));
  if (!ids::is_uuid(id)) co_return bad_id();
  auto u = co_await api->repo.find_by_id(id);
  if (!u) co_return not_found(id);
  co_return Response::json(200, user_json(*u));
}

Task<Response> create_user(UserApi* api, Request req) {
  auto input = validated<NewUser>(req, validate_new_user);
  if (auto* r = std::get_if<Response>(&input)) co_return std::move(*r);
  auto& nu = std::get<NewUser>(input);
  if (nu.role == Role::admin) {
    if (auto denied = require_admin(*api, req, "create an admin")) co_return std::move(*denied);
  }
  UserRow row{ids::uuid_v4(), std::move(nu.name), std::move(nu.email), nu.role, {}};
  row.password_hash = co_await hash_off_loop(api, std::move(nu.password));
  auto result = co_await api->repo.insert(row);
  if (result == WriteResult::duplicate_email) co_return duplicate();
  auto ids = req.trace_ids();
  log::info("user created", {{"user_id", row.id}, {"role", to_string(row.role)}}, &ids);
  Response r = Response::json(201, user_json(row));
  r.headers.emplace_back("Location", "/users/" + row.id);
  co_return r;
}

Task<Response> list_users(UserApi* api, Request req) {
  if (auto denied = require_admin(*api, req, "list users")) co_return std::move(*denied);

  auto asked = http::page_query(req);
  if (auto* r = std::get_if<Response>(&asked)) co_return std::move(*r);
  int limit = std::get<http::PageQuery>(asked).limit;
  std::string cursor = std::get<http::PageQuery>(asked).cursor;
  auto rows = co_await api->repo.list(cursor, limit + 1);
  json::array items;
  bool more = static_cast<int>(rows.size()) > limit;
  if (more) rows.pop_back();
  for (const auto& u : rows) items.push_back(user_json(u));
  json::object page{{"items", std::move(items)}};
  page["next_cursor"] = more ? json::value(rows.back().id) : json::value(nullptr);
  co_return Response::json(200, page);
}

Task<Response> patch_user(UserApi* api, Request req) {
  auto id = std::string(req.param("id"));
  if (!ids::is_uuid(id)) co_return bad_id();
  auto who = caller(*api, req);
  if (auto* r = std::get_if<Response>(&who)) co_return std::move(*r);
  auto& claims = std::get<std::optional<auth::Claims>>(who);
  if (auto denied = require_self_or_admin(claims, id)) co_return std::move(*denied);
  auto input = validated<UserPatch>(req, validate_patch);
  if (auto* r = std::get_if<Response>(&input)) co_return std::move(*r);
  auto& patch = std::get<UserPatch>(input);
  if (patch.role && claims->role != "admin")
    co_return problem(403, "only an admin may change a role");
  std::optional<std::string> hash;
  if (patch.password) hash = co_await hash_off_loop(api, *patch.password);
  auto result = co_await api->repo.update(id, patch, std::move(hash));
  if (result == WriteResult::not_found) co_return not_found(id);
  if (result == WriteResult::duplicate_email) co_return duplicate();
  auto u = co_await api->repo.find_by_id(id);
  if (!u) co_return not_found(id);
  co_return Response::json(200, user_json(*u));
}

Task<Response> delete_user(UserApi* api, Request req) {
  auto id = std::string(req.param("id"));
  if (!ids::is_uuid(id)) co_return bad_id();
  auto who = caller(*api, req);
  if (auto* r = std::get_if<Response>(&who)) co_return std::move(*r);
  if (auto denied = require_self_or_admin(std::get<std::optional<auth::Claims>>(who), id))
    co_return std::move(*denied);
  if (!co_await api->repo.remove(id)) co_return not_found(id);
  co_return Response::empty(204);
}

Task<Response> issue_token(UserApi* api, Request req) {
  auto input = validated<Credentials>(req, validate_credentials);
  if (auto* r = std::get_if<Response>(&input)) co_return std::move(*r);
  auto& cred = std::get<Credentials>(input);
  auto u = co_await api->repo.find_by_email(cred.email);
  // An unknown e-mail costs the same argon2id work as a wrong password.
  // Named locals, not temporaries inside the co_await: g++ 12 destroys a conditional's
  // temporary twice there.
  std::string stored;
  if (u) stored = u->password_hash;
  auto verification = verify_password(&api->hasher, std::move(stored), std::move(cred.password));
  bool ok = co_await asio::co_spawn(api->crypto, std::move(verification), asio::use_awaitable);
  if (!u || !ok) {
    Response r = problem(401, "invalid e-mail or password");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    co_return r;
  }
  auto now = unix_now();
  auth::Claims c{api->issuer, u->id, std::string(to_string(u->role)), now,
                 now + api->token_ttl.count()};
  json::object out{{"access_token", api->key.sign(c)},
                   {"token_type", "Bearer"},
                   {"expires_in", api->token_ttl.count()}};
  Response r = Response::json(200, out);
  r.headers.emplace_back("Cache-Control", "no-store");
  co_return r;
}

Task<Response> jwks(UserApi* api, Request) {
  Response r = Response::text(200, api->key.jwks_json(), "application/json");
  r.headers.emplace_back("Cache-Control", "public, max-age=300");
  co_return r;
}

}  // namespace

void add_user_routes(http::Router& router, UserApi& api) {
  router.add("GET", "/users/{id}", http::bind<get_user>(api));
  router.add("PATCH", "/users/{id}", http::bind<patch_user>(api));
  router.add("DELETE", "/users/{id}", http::bind<delete_user>(api));
  router.add("GET", "/users", http::bind<list_users>(api));
  router.add("POST", "/users", http::bind<create_user>(api));
  router.add("POST", "/auth/token", http::bind<issue_token>(api));
  router.add("GET", "/.well-known/jwks.json", http::bind<jwks>(api));
  http::add_openapi_route(router, openapi_yaml());
}

pg::Task<void> ensure_bootstrap_admin(UserApi* api, std::string email, std::string password) {
  if (co_await api->repo.find_by_email(email)) co_return;
  auto problems = check_email(email) + check_password(password);
  if (!problems.empty()) {
    log::error("bootstrap admin not created", {{"reason", problems}});
    co_return;
  }
  UserRow row{ids::uuid_v4(), "Administrator", std::move(email), Role::admin, {}};
  row.password_hash = co_await hash_off_loop(api, std::move(password));
  if (co_await api->repo.insert(row) == WriteResult::ok)
    log::info("bootstrap admin created", {{"user_id", row.id}});
}

}  // namespace bazaar::user
