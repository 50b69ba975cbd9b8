// What happens to user-service when things go wrong around it: the database restarts, the
// process is told to stop mid-request, clients misbehave, configuration is wrong.
#include <gtest/gtest.h>
#include <signal.h>

#include <atomic>
#include <boost/json.hpp>
#include <thread>

#include "chassis/core/ids.hpp"
#include "chassis/http/client.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace json = boost::json;
using http::BlockingClient;

namespace {
std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

int status_of(BlockingClient& c, const std::string& url) {
  try {
    return c.send(http::ClientRequest{"GET", url, {}, {}, nullptr}, 3s).status;
  } catch (const http::ClientError&) {
    return -1;
  }
}
}  // namespace

TEST(UserResilience, RecoversAfterPostgresRestartsWithoutRestartingItself) {
  harness::PgCluster pg;
  harness::UserService svc(pg.url("users"), {{"DB_POOL_SIZE", "4"}, {"HEALTH_CACHE_TTL", "0"}});
  BlockingClient c;
  auto created = c.post_json(svc.url("/users"), json::object{{"name", "Survivor"},
                                                             {"email", "survivor@example.com"},
                                                             {"password", "password-123"}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string user = svc.url("/users/" + std::string(created.json().at("id").as_string()));

  std::atomic<bool> stop{false};
  std::atomic<int> ok{0}, unavailable{0}, other{0};
  std::thread traffic([&] {
    BlockingClient tc;
    while (!stop) {
      int s = status_of(tc, user);
      if (s == 200)
        ++ok;
      else if (s == 503)
        ++unavailable;
      else
        ++other;
      std::this_thread::sleep_for(5ms);
    }
  });
  ASSERT_TRUE(harness::wait_until([&] { return ok > 10; }, 10s));

  pg.stop();
  // While the database is down every answer is a quick 503, never a hang or a crash.
  ASSERT_TRUE(harness::wait_until([&] { return unavailable > 5; }, 15s));
  auto down = c.send(http::ClientRequest{"GET", user, {}, {}, nullptr}, 5s);
  EXPECT_EQ(down.status, 503);
  EXPECT_EQ(down.header("Retry-After"), "1");
  EXPECT_EQ(c.get(svc.url("/health/ready")).status, 503);
  EXPECT_EQ(c.get(svc.url("/health/live")).status, 200);

  pg.start();
  int ok_before = ok;
  EXPECT_TRUE(harness::wait_until([&] { return ok > ok_before + 20; }, 20s));
  stop = true;
  traffic.join();
  EXPECT_TRUE(svc.process().running());
  EXPECT_EQ(c.get(user).status, 200);
  EXPECT_EQ(c.get(svc.url("/health/ready")).status, 200);
  EXPECT_EQ(other.load(), 0);
}

TEST(UserResilience, SigtermLetsTheInFlightRequestFinishThenExitsZero) {
  harness::UserService svc(harness::shared_database_url());
  std::string body =
      json::serialize(json::object{{"name", "Last one in"},
                                   {"email", "u-" + ids::random_hex(6) + "@example.com"},
                                   {"password", "password-123"}});
  harness::RawConnection conn(svc.port());
  // Headers and half of the body: the request is in flight when SIGTERM arrives.
  conn.send(
      "POST /users HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, body.size() / 2));
  ASSERT_TRUE(harness::wait_until(
      [&] { return svc.process().output().find("\"listening\"") != std::string::npos; }, 5s));
  std::this_thread::sleep_for(200ms);
  svc.process().signal(SIGTERM);
  ASSERT_TRUE(harness::wait_until(
      [&] { return svc.process().output().find("\"draining\"") != std::string::npos; }, 5s));
  // New connections are no longer accepted while draining.
  EXPECT_THROW(
      {
        BlockingClient().send(http::ClientRequest{"GET", svc.url("/health/live"), {}, {}, nullptr},
                              1s);
      },
      http::ClientError);
  conn.send(body.substr(body.size() / 2));
  auto response = conn.read_response(10s);
  EXPECT_EQ(status_line(response), "HTTP/1.1 201 Created") << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(svc.process().wait(10s), 0) << svc.process().output();
}

TEST(UserResilience, SlowAndIdleClientsAreCutOff) {
  harness::UserService svc(harness::shared_database_url(),
                           {{"HTTP_READ_TIMEOUT", "300ms"}, {"HTTP_IDLE_TIMEOUT", "500ms"}});
  harness::RawConnection slow(svc.port());
  slow.send("GET /health/live HTTP/1.1\r\nHost: t\r\n");  // never finishes its headers
  auto answer = slow.read_all(3s);
  EXPECT_EQ(status_line(answer), "HTTP/1.1 408 Request Timeout") << answer;

  harness::RawConnection idle(svc.port());
  bool closed = false;
  EXPECT_EQ(idle.read_all(10s, &closed), "");  // closed by the server without a word
  EXPECT_TRUE(closed);
}

TEST(UserResilience, ConnectionsOverTheCapGet503) {
  harness::UserService svc(harness::shared_database_url(), {{"HTTP_MAX_CONNECTIONS", "2"}});
  // The readiness probe's connection may still be closing on the server side: wait until
  // two fresh connections both get through.
  std::unique_ptr<harness::RawConnection> a, b;
  ASSERT_TRUE(harness::wait_until(
      [&] {
        a = std::make_unique<harness::RawConnection>(svc.port());
        b = std::make_unique<harness::RawConnection>(svc.port());
        a->send("GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n");
        b->send("GET /health/live HTTP/1.1\r\nHost: t\r\n\r\n");
        return status_line(a->read_response(3s)) == "HTTP/1.1 200 OK" &&
               status_line(b->read_response(3s)) == "HTTP/1.1 200 OK";
      },
      5s));
  harness::RawConnection c(svc.port());
  auto refused = c.read_all(3s);
  EXPECT_EQ(status_line(refused), "HTTP/1.1 503 Service Unavailable") << refused;
  EXPECT_NE(refused.find("connection limit reached"), std::string::npos);
}

TEST(UserResilience, MalformedHttpIs400AndTheServerCarriesOn) {
  harness::UserService svc(harness::shared_database_url());
  harness::RawConnection bad(svc.port());
  bad.send("GARBAGE\r\n\r\n");
  EXPECT_EQ(status_line(bad.read_all(3s)), "HTTP/1.1 400 Bad Request");
  EXPECT_EQ(BlockingClient().get(svc.url("/health/live")).status, 200);
}

TEST(UserResilience, BadConfigurationStopsStartUpWithOneLineNamingTheVariable) {
  struct Case {
    std::map<std::string, std::string> env;
    std::string names;
  };
  for (const auto& c : std::vector<Case>{
           {{{"PORT", "eighty"}, {"DB_URL", "postgresql://x/y"}, {"JWT_PRIVATE_KEY_FILE", "k"}},
            "PORT"},
           {{{"DB_URL", ""}, {"JWT_PRIVATE_KEY_FILE", "k"}}, "DB_URL"},
           {{{"DB_URL", "postgresql://x/y"}, {"JWT_PRIVATE_KEY_FILE", ""}}, "JWT_PRIVATE_KEY_FILE"},
           {{{"DB_URL", "postgresql://x/y"},
             {"JWT_PRIVATE_KEY_FILE", "k"},
             {"HTTP_READ_TIMEOUT", "soon"}},
            "HTTP_READ_TIMEOUT"},
       }) {
    harness::Process p(BAZAAR_USER_SERVICE_BIN_FOR_TESTS, c.env);
    EXPECT_EQ(p.wait(10s), 2) << p.output();
    auto out = p.output();
    EXPECT_NE(out.find(c.names), std::string::npos) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
}
