// user-service's contract over HTTP, against the real binary and a real PostgreSQL.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <set>
#include <thread>

#include "chassis/auth/base64url.hpp"
#include "chassis/core/ids.hpp"
#include "chassis/http/client.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace json = boost::json;
using http::BlockingClient;
using http::ClientResponse;

namespace {
constexpr const char* kAdminEmail = "root@bazaar.test";
constexpr const char* kAdminPassword = "root-password-1";

class UserApi : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    service_ = new harness::UserService(
        harness::shared_database_url(),
        {{"BOOTSTRAP_ADMIN_EMAIL", kAdminEmail}, {"BOOTSTRAP_ADMIN_PASSWORD", kAdminPassword}});
  }
  static void TearDownTestSuite() {
    delete service_;
    service_ = nullptr;
  }

  static std::string url(const std::string& path) { return service_->url(path); }

  static std::string unique_email() { return "u-" + ids::random_hex(6) + "@example.com"; }

  ClientResponse send(const std::string& method, const std::string& path, const std::string& body,
                      http::Headers headers = {}) {
    http::ClientRequest r;
    r.method = method;
    r.url = url(path);
    r.body = body;
    r.headers = std::move(headers);
    if (!body.empty() && http::find_header(r.headers, "Content-Type").empty())
      r.headers.emplace_back("Content-Type", "application/json");
    return client_.send(std::move(r));
  }

  ClientResponse create(const json::object& body, http::Headers headers = {}) {
    return send("POST", "/users", json::serialize(body), std::move(headers));
  }

  json::object create_ok(const std::string& email, const std::string& password = "password-123") {
    auto r = create({{"name", "Test User"}, {"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  std::string token_for(const std::string& email, const std::string& password) {
    auto r = send("POST", "/auth/token",
                  json::serialize(json::object{{"email", email}, {"password", password}}));
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("access_token").as_string());
  }

  static http::Headers bearer(const std::string& token) {
    return {{"Authorization", "Bearer " + token}};
  }

  static harness::UserService* service_;
  BlockingClient client_;
};

harness::UserService* UserApi::service_ = nullptr;

std::vector<std::string> problem_fields(const ClientResponse& r) {
  std::vector<std::string> out;
  auto body = r.json();
  for (const auto& e : body.at("errors").as_array()) out.emplace_back(e.at("field").as_string());
  return out;
}
}  // namespace

TEST_F(UserApi, CreateThenFetchReturnsExactlyTheGuidesFields) {
  auto email = unique_email();
  auto r = create({{"name", "Ada Lovelace"}, {"email", email}, {"password", "analytical-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.json().as_object();
  std::string id(body.at("id").as_string());
  EXPECT_TRUE(ids::is_uuid(id));
  EXPECT_EQ(r.header("Location"), "/users/" + id);
  EXPECT_EQ(body.size(), 4u);
  EXPECT_EQ(body.at("role").as_string(), "user");

  auto got = send("GET", "/users/" + id, "");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(got.header("Content-Type"), "application/json");
  EXPECT_EQ(got.json(),
            json::value(json::object{
                {"id", id}, {"name", "Ada Lovelace"}, {"email", email}, {"role", "user"}}));
  EXPECT_EQ(got.body.find("password"), std::string::npos);
  EXPECT_EQ(got.body.find("argon2"), std::string::npos);
}

TEST_F(UserApi, UnknownIdIs404AndMalformedIdIs400) {
  auto r = send("GET", "/users/" + ids::uuid_v4(), "");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(r.json().at("status").as_int64(), 404);
  auto bad = send("GET", "/users/not-a-uuid", "");
  EXPECT_EQ(bad.status, 400);
  EXPECT_NE(bad.json().at("detail").as_string().find("UUID"), std::string::npos);
}

TEST_F(UserApi, DuplicateEmailIgnoringCaseIs409) {
  auto email = unique_email();
  create_ok(email);
  std::string upper = email;
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  auto r = create({{"name", "Twin"}, {"email", upper}, {"password", "password-123"}});
  EXPECT_EQ(r.status, 409) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
}

TEST_F(UserApi, InvalidFieldsAre422NamingEachFieldAndWhy) {
  auto r = create({{"name", ""}, {"email", "no-at-sign"}, {"password", "short"}, {"role", "god"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(problem_fields(r), (std::vector<std::string>{"name", "email", "password", "role"}));
  auto body = r.json();
  for (const auto& e : body.at("errors").as_array())
    EXPECT_FALSE(e.at("reason").as_string().empty());
}

TEST_F(UserApi, WrongTypesAndMissingFieldsAre422) {
  auto r = send("POST", "/users", R"({"name": 42, "email": ["a@b.co"], "extra": true})");
  ASSERT_EQ(r.status, 422) << r.body;
  auto fields = problem_fields(r);
  for (const char* f : {"name", "email", "password", "extra"})
    EXPECT_NE(std::find(fields.begin(), fields.end(), f), fields.end()) << f;
}

TEST_F(UserApi, MalformedJsonIs400AndNothingIsStored) {
  for (const char* body : {"{\"name\":", "not json", "[1,2]", "{\"name\":\"a\"}}"}) {
    auto r = send("POST", "/users", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  }
  auto r = send("POST", "/users", "{}", {{"Content-Type", "text/plain"}});
  EXPECT_EQ(r.status, 415);
}

TEST_F(UserApi, UnicodeAndSqlMetacharactersAreStoredVerbatim) {
  for (std::string name :
       {std::string("Zoë Ångström 山田太郎 😀"), std::string("Robert'); DROP TABLE users;--"),
        std::string("%_\\' OR '1'='1")}) {
    auto email = unique_email();
    auto r = create({{"name", name}, {"email", email}, {"password", "password-123"}});
    ASSERT_EQ(r.status, 201) << r.body;
    auto id = std::string(r.json().at("id").as_string());
    auto got = send("GET", "/users/" + id, "");
    ASSERT_EQ(got.status, 200);
    EXPECT_EQ(got.json().at("name").as_string(), name);
  }
}

TEST_F(UserApi, BodyOverTheLimitIs413) {
  std::string big(10 * 1024 * 1024, 'a');
  auto r = send("POST", "/users", big);
  EXPECT_EQ(r.status, 413);
  EXPECT_NE(r.json().at("detail").as_string().find("exceeds"), std::string::npos);
  // The service is still there.
  EXPECT_EQ(send("GET", "/health/live", "").status, 200);
}

TEST_F(UserApi, HeadersOverTheLimitAre431) {
  auto r = send("GET", "/users/" + ids::uuid_v4(), "", {{"X-Big", std::string(20 * 1024, 'x')}});
  EXPECT_EQ(r.status, 431);
}

TEST_F(UserApi, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  EXPECT_EQ(send("GET", "/nothing/here", "").status, 404);
  auto r = send("PUT", "/users/" + ids::uuid_v4(), "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.header("Allow"), "GET, PATCH, DELETE");
}

TEST_F(UserApi, TokenIsAnRs256JwtForTheUserAndTheJwksPublishesItsKey) {
  auto email = unique_email();
  auto user = create_ok(email, "correct-horse");
  auto token = token_for(email, "correct-horse");
  auto first_dot = token.find('.'), second_dot = token.find('.', first_dot + 1);
  ASSERT_NE(second_dot, std::string::npos);
  auto header = json::parse(*auth::base64url_decode(token.substr(0, first_dot))).as_object();
  auto claims =
      json::parse(*auth::base64url_decode(token.substr(first_dot + 1, second_dot - first_dot - 1)))
          .as_object();
  EXPECT_EQ(header.at("alg").as_string(), "RS256");
  EXPECT_EQ(claims.at("sub").as_string(), user.at("id").as_string());
  EXPECT_EQ(claims.at("role").as_string(), "user");
  EXPECT_EQ(claims.at("iss").as_string(), "bazaar-user-service");
  EXPECT_GT(claims.at("exp").as_int64(), claims.at("iat").as_int64());

  auto jwks = send("GET", "/.well-known/jwks.json", "").json();
  auto key = jwks.at("keys").as_array().at(0).as_object();
  EXPECT_EQ(key.at("kid"), header.at("kid"));
  EXPECT_EQ(key.at("alg").as_string(), "RS256");
}

TEST_F(UserApi, BadCredentialsAre401WithTheSameAnswerForUnknownEmail) {
  auto email = unique_email();
  create_ok(email, "right-password");
  auto wrong =
      send("POST", "/auth/token",
           json::serialize(json::object{{"email", email}, {"password", "wrong-password"}}));
  auto unknown =
      send("POST", "/auth/token",
           json::serialize(json::object{{"email", unique_email()}, {"password", "whatever-1"}}));
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(unknown.status, 401);
  EXPECT_EQ(wrong.body, unknown.body);
}

TEST_F(UserApi, AdminRoleNeedsAnAdminsToken) {
  json::object wants_admin{{"name", "Would-be admin"},
                           {"email", unique_email()},
                           {"password", "password-123"},
                           {"role", "admin"}};
  EXPECT_EQ(create(wants_admin).status, 401);

  auto email = unique_email();
  create_ok(email);
  EXPECT_EQ(create(wants_admin, bearer(token_for(email, "password-123"))).status, 403);
  EXPECT_EQ(create(wants_admin, bearer("not.a.token")).status, 401);

  auto r = create(wants_admin, bearer(token_for(kAdminEmail, kAdminPassword)));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().at("role").as_string(), "admin");
}

TEST_F(UserApi, ListPagesThroughEveryUserOnce) {
  for (int i = 0; i < 5; ++i) create_ok(unique_email());
  auto admin = bearer(token_for(kAdminEmail, kAdminPassword));
  EXPECT_EQ(send("GET", "/users", "").status, 401);
  EXPECT_EQ(send("GET", "/users?limit=101", "", admin).status, 400);
  EXPECT_EQ(send("GET", "/users?limit=abc", "", admin).status, 400);
  EXPECT_EQ(send("GET", "/users?cursor=zzz", "", admin).status, 400);

  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = send("GET", "/users?limit=2" + (cursor.empty() ? "" : "&cursor=" + cursor), "", admin);
    ASSERT_EQ(r.status, 200) << r.body;
    auto page = r.json().as_object();
    auto& items = page.at("items").as_array();
    EXPECT_LE(items.size(), 2u);
    for (const auto& u : items)
      EXPECT_TRUE(seen.insert(std::string(u.at("id").as_string())).second);
    ++pages;
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  auto all = send("GET", "/users?limit=100", "", admin).json();
  EXPECT_GE(seen.size(), 6u);
  EXPECT_GE(pages, 3);
  if (all.at("next_cursor").is_null()) {
    EXPECT_EQ(seen.size(), all.at("items").as_array().size());
  }
}

TEST_F(UserApi, PatchAndDeleteBelongToTheUserOrAnAdmin) {
  auto email = unique_email(), other = unique_email();
  auto id = std::string(create_ok(email).at("id").as_string());
  create_ok(other);
  auto mine = bearer(token_for(email, "password-123"));
  auto theirs = bearer(token_for(other, "password-123"));

  EXPECT_EQ(send("PATCH", "/users/" + id, R"({"name":"Renamed"})").status, 401);
  EXPECT_EQ(send("PATCH", "/users/" + id, R"({"name":"Renamed"})", theirs).status, 403);
  EXPECT_EQ(send("PATCH", "/users/" + id, R"({"role":"admin"})", mine).status, 403);
  EXPECT_EQ(send("PATCH", "/users/" + id, R"({"name":""})", mine).status, 422);
  EXPECT_EQ(send("PATCH", "/users/" + id, R"({"email":")" + other + R"("})", mine).status, 409);
  auto r = send("PATCH", "/users/" + id, R"({"name":"Renamed","password":"new-password-1"})", mine);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("name").as_string(), "Renamed");
  token_for(email, "new-password-1");  // the new password works

  EXPECT_EQ(send("DELETE", "/users/" + id, "", theirs).status, 403);
  EXPECT_EQ(send("DELETE", "/users/" + id, "", mine).status, 204);
  EXPECT_EQ(send("GET", "/users/" + id, "").status, 404);
  auto admin = bearer(token_for(kAdminEmail, kAdminPassword));
  EXPECT_EQ(send("DELETE", "/users/" + id, "", admin).status, 404);
}

TEST_F(UserApi, SameEmailCreatedConcurrentlyGivesExactlyOne201) {
  // Several rounds: the races this guards against (one insert's failure inside a batch of
  // pipelined statements) depend on timing.
  for (int round = 0; round < 5; ++round) {
    auto email = unique_email();
    std::vector<int> statuses(16, 0);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < statuses.size(); ++i) {
      threads.emplace_back([&, i] {
        BlockingClient c;
        auto r = c.post_json(url("/users"), json::object{{"name", "Racer " + std::to_string(i)},
                                                         {"email", email},
                                                         {"password", "password-123"}});
        statuses[i] = r.status;
      });
    }
    for (auto& t : threads) t.join();
    std::string all = "round " + std::to_string(round) + ": ";
    for (int s : statuses) all += std::to_string(s) + " ";
    ASSERT_EQ(std::count(statuses.begin(), statuses.end(), 201), 1) << all;
    ASSERT_EQ(std::count(statuses.begin(), statuses.end(), 409), 15) << all;
  }
}

TEST_F(UserApi, TraceContextAndRequestIdAreCarriedIntoTheLogs) {
  const std::string trace_id = "4bf92f3577b34da6a3ce929d0e0e4736";
  auto r = send(
      "GET", "/users/" + ids::uuid_v4(), "",
      {{"traceparent", "00-" + trace_id + "-00f067aa0ba902b7-01"}, {"X-Request-ID", "req-123"}});
  EXPECT_EQ(r.header("X-Request-ID"), "req-123");
  ASSERT_TRUE(harness::wait_until(
      [&] { return service_->process().output().find(trace_id) != std::string::npos; }, 5s));
  // The access line of that request: route template, status and the caller's trace.
  std::string out = service_->process().output();
  auto line_start = out.rfind('\n', out.find(trace_id)) + 1;
  auto line =
      json::parse(out.substr(line_start, out.find('\n', line_start) - line_start)).as_object();
  EXPECT_EQ(line.at("msg").as_string(), "request");
  EXPECT_EQ(line.at("route").as_string(), "/users/{id}");
  EXPECT_EQ(line.at("status").as_int64(), 404);
  EXPECT_EQ(line.at("request_id").as_string(), "req-123");
  EXPECT_EQ(line.at("span_id").as_string().size(), 16u);
  EXPECT_NE(line.at("span_id").as_string(), "00f067aa0ba902b7");
}

TEST_F(UserApi, PasswordsNeverReachTheLogs) {
  auto email = unique_email();
  create_ok(email, "very-secret-password-42");
  token_for(email, "very-secret-password-42");
  EXPECT_EQ(service_->process().output().find("very-secret-password-42"), std::string::npos);
}

TEST_F(UserApi, MetricsExposeTheRequestHistogramPoolAndProcess) {
  send("GET", "/users/" + ids::uuid_v4(), "");
  auto m = send("GET", "/metrics", "");
  ASSERT_EQ(m.status, 200);
  EXPECT_NE(m.header("Content-Type").find("text/plain"), std::string_view::npos);
  for (const char* needle :
       {"http_server_request_duration_seconds_bucket{http_request_method=\"GET\",http_route=\"/"
        "users/{id}\",http_response_status_code=\"404\",le=",
        "http_server_active_requests", "db_client_connection_count{pool=\"users\",state=\"idle\"}",
        "db_client_connection_pending_requests", "process_resident_memory_bytes",
        "process_cpu_seconds_total", "process_open_fds"})
    EXPECT_NE(m.body.find(needle), std::string::npos) << needle;
}

TEST_F(UserApi, HealthProbesAndTheContractAreServed) {
  EXPECT_EQ(send("GET", "/health/live", "").status, 200);
  EXPECT_EQ(send("GET", "/health/ready", "").status, 200);
  auto h = send("GET", "/health", "");
  EXPECT_EQ(h.json().at("checks").at("database").as_string(), "ok");
  auto spec = send("GET", "/openapi.yaml", "");
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.body.rfind("openapi: 3.1", 0), 0u);
}
