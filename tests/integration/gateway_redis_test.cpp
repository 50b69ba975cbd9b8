// The rate-limiting plugin's redis policy against a real redis-server: counts shared by
// gateways, Kong's keys and expiries, and what happens when Redis is down, slow, restarted
// or asks for a password.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gateway/plugins/rate_limiting/counter_key.hpp"
#include "gateway/plugins/rate_limiting/rate_limiter.hpp"
#include "gateway/plugins/rate_limiting/redis_store.hpp"
#include "gateway/plugins/rate_limiting/resp.hpp"
#include "tests/support/harness.hpp"

namespace bazaar::gateway::rate_limiting {
namespace {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A gateway worker: an io_context run by a thread of its own.
class Worker {
 public:
  Worker() : guard_(asio::make_work_guard(context_)) {
    thread_ = std::thread([this] {
      context_.run();
      finished_.set_value();
    });
  }
  ~Worker() {
    guard_.reset();
    // Stores destroyed before the worker have closed their sockets, so run() returns; stop()
    // is only there so a bug cannot hang the test binary.
    if (finished_.get_future().wait_for(10s) != std::future_status::ready) context_.stop();
    thread_.join();
  }
  asio::any_io_executor executor() { return context_.get_executor(); }
  template <class F>
  void post(F&& task) {
    asio::post(context_, std::forward<F>(task));
  }

 private:
  asio::io_context context_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_;
  std::promise<void> finished_;
  std::thread thread_;
};

// Blocking RESP client for looking at what the store left in Redis.
class RedisClient {
 public:
  explicit RedisClient(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot connect to Redis on port " + std::to_string(port));
    }
  }
  ~RedisClient() { ::close(fd_); }
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  RespValue command(std::initializer_list<std::string_view> args) {
    const std::string bytes = encode_command(args);
    if (::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(bytes.size())) {
      throw std::runtime_error("send to Redis failed");
    }
    const auto deadline = Clock::now() + 5s;
    for (;;) {
      if (auto reply = decoder_.next()) return *reply;
      pollfd readable{fd_, POLLIN, 0};
      const auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      if (left <= 0ms || ::poll(&readable, 1, static_cast<int>(left.count())) <= 0) {
        throw std::runtime_error("no reply from Redis");
      }
      std::array<char, 4096> buffer{};
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n <= 0) throw std::runtime_error("Redis closed the connection");
      decoder_.feed(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
    }
  }

 private:
  int fd_;
  RespDecoder decoder_;
};

// A port that accepts TCP connections (the kernel completes them) but never answers: a hung
// Redis. Nothing ever calls accept().
class SilentListener {
 public:
  SilentListener() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&address), length) != 0 ||
        ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
      throw std::runtime_error("cannot listen on loopback");
    }
    port_ = ntohs(address.sin_port);
  }
  ~SilentListener() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_;
  int port_ = 0;
};

RedisConfig redis_at(int port, int timeout_ms = 2000) {
  RedisConfig config;
  config.host = "127.0.0.1";
  config.port = port;
  config.timeout_ms = timeout_ms;
  return config;
}

Seconds now_seconds() {
  return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
}

constexpr std::array<Period, 2> kMinuteAndHour = {Period::minute, Period::hour};

// Adds from the test thread (the store hops onto its worker) and waits for the answer.
CountResult add_and_wait(RedisStore& store, std::string_view subject,
                         std::span<const Period> periods, Seconds now, std::int64_t delta = 1) {
  auto answer = std::make_shared<std::promise<CountResult>>();
  auto future = answer->get_future();
  store.add(CountQuery{subject, periods, now, delta},
            [answer](CountResult result) { answer->set_value(std::move(result)); });
  if (future.wait_for(15s) != std::future_status::ready) {
    ADD_FAILURE() << "the store did not answer within 15 s";
    return CountResult{{}, "no answer"};
  }
  return future.get();
}

struct Timed {
  CountResult result;
  Clock::duration took;
};

Timed timed_add(RedisStore& store, std::string_view subject, Seconds now) {
  const auto start = Clock::now();
  CountResult result = add_and_wait(store, subject, kMinuteAndHour, now);
  return {std::move(result), Clock::now() - start};
}

Decision check_and_wait(const Config& config, RedisStore& store, const Request& request,
                        Seconds now) {
  auto answer = std::make_shared<std::promise<Decision>>();
  auto future = answer->get_future();
  const RequestFacts facts{request, std::nullopt, std::nullopt, std::nullopt};
  check(config, PluginScope{"route-1", "service-1"}, facts, store, now,
        [answer](Decision decision) { answer->set_value(std::move(decision)); });
  if (future.wait_for(15s) != std::future_status::ready) {
    ADD_FAILURE() << "check did not answer within 15 s";
    return Decision{};
  }
  return future.get();
}

Config per_minute(std::int64_t limit, RedisConfig redis) {
  Config config;
  config.limits[static_cast<std::size_t>(Period::minute)] = limit;
  config.policy = Policy::redis;
  config.redis = std::move(redis);
  return config;
}

std::map<std::string, std::string> headers_of(const Decision& decision) {
  std::map<std::string, std::string> headers;
  for (const ClientHeader& header : decision.headers)
    headers[std::string(header.name)] = header.value;
  return headers;
}

TEST(GatewayRedis, CountsAddUpAcrossCalls) {
  harness::RedisServer redis;
  Worker worker;
  RedisStore store(worker.executor(), redis_at(redis.port()));
  const std::string subject = counter_subject({}, "192.0.2.1");
  const Seconds now = now_seconds();

  for (std::int64_t n = 1; n <= 3; ++n) {
    const CountResult result = add_and_wait(store, subject, kMinuteAndHour, now);
    ASSERT_FALSE(result.error) << *result.error;
    EXPECT_EQ(result.counts, (std::vector<std::int64_t>{n, n}));
  }
  const CountResult taken_back = add_and_wait(store, subject, kMinuteAndHour, now, -1);
  EXPECT_EQ(taken_back.counts, (std::vector<std::int64_t>{2, 2}));
  EXPECT_TRUE(store.counts_refused_requests());
}

TEST(GatewayRedis, KeysAndExpiriesAreKongs) {
  harness::RedisServer redis;
  Worker worker;
  RedisStore store(worker.executor(), redis_at(redis.port()));
  const PluginScope scope{"route-1", ""};
  const std::string subject = counter_subject(scope, "consumer-7");
  constexpr std::array<Period, 5> kPeriods = {Period::minute, Period::hour, Period::day,
                                              Period::month, Period::year};
  const Seconds now = now_seconds();
  ASSERT_FALSE(add_and_wait(store, subject, kPeriods, now).error);

  RedisClient client(redis.port());
  const RespValue keys = client.command({"KEYS", "*"});
  std::vector<std::string> found;
  for (const RespValue& key : keys.elements) found.push_back(key.text);
  std::vector<std::string> expected;
  for (Period period : kPeriods) expected.push_back(counter_key(scope, "consumer-7", period, now));
  std::sort(found.begin(), found.end());
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected);
  EXPECT_EQ(expected.front().substr(0, 64),
            "ratelimit:route-1:00000000-0000-0000-0000-000000000000:consumer-");

  for (Period period : kPeriods) {
    const std::string key = counter_key(scope, "consumer-7", period, now);
    EXPECT_EQ(client.command({"GET", key}).text, "1") << key;
    const std::int64_t ttl = client.command({"TTL", key}).integer;
    EXPECT_LE(ttl, nominal_seconds(period)) << key;
    EXPECT_GE(ttl, nominal_seconds(period) - 5) << key;
  }

  // Like Kong, later requests keep the expiry the first one set.
  const std::string hour_key = counter_key(scope, "consumer-7", Period::hour, now);
  client.command({"EXPIRE", hour_key, "1000"});
  ASSERT_FALSE(add_and_wait(store, subject, kPeriods, now).error);
  EXPECT_LE(client.command({"TTL", hour_key}).integer, 1000);
  EXPECT_EQ(client.command({"GET", hour_key}).text, "2");
}

TEST(GatewayRedis, TwoGatewaysCountTogetherExactly) {
  harness::RedisServer redis;
  Worker first_worker;
  Worker second_worker;
  RedisStore first(first_worker.executor(), redis_at(redis.port()));
  RedisStore second(second_worker.executor(), redis_at(redis.port()));
  const Seconds now = now_seconds();
  constexpr int kEach = 50;

  // 50 adds issued back to back on each worker (pipelined), both workers at once.
  const std::string subject = counter_subject({}, "shared-client");
  std::mutex mutex;
  std::vector<std::int64_t> counts;
  std::vector<std::string> errors;
  std::promise<void> all_done;
  auto record = [&](CountResult result) {
    const std::lock_guard lock(mutex);
    if (result.error) {
      errors.push_back(*result.error);
    } else {
      counts.push_back(result.counts.at(0));
    }
    if (counts.size() + errors.size() == 2 * kEach) all_done.set_value();
  };
  for (auto* pair : {&first, &second}) {
    Worker& worker = pair == &first ? first_worker : second_worker;
    worker.post([pair, &subject, now, &record] {
      for (int i = 0; i < kEach; ++i) {
        pair->add(CountQuery{subject, kMinuteAndHour, now, 1}, record);
      }
    });
  }
  ASSERT_EQ(all_done.get_future().wait_for(30s), std::future_status::ready);
  EXPECT_TRUE(errors.empty()) << errors.front();
  std::sort(counts.begin(), counts.end());
  std::vector<std::int64_t> one_to_hundred(2 * kEach);
  std::iota(one_to_hundred.begin(), one_to_hundred.end(), 1);
  EXPECT_EQ(counts, one_to_hundred);  // every request got its own count: none lost, none twice

  // Through the plugin's flow: a limit of 60 per minute admits exactly 60 of 100.
  const Config config = per_minute(60, redis_at(redis.port()));
  const Request request{"GET", "/orders", "", {}, "", "192.0.2.99"};
  std::vector<Decision> decisions;
  std::promise<void> decided;
  auto keep = [&](Decision decision) {
    const std::lock_guard lock(mutex);
    decisions.push_back(std::move(decision));
    if (decisions.size() == 2 * kEach) decided.set_value();
  };
  for (auto* pair : {&first, &second}) {
    Worker& worker = pair == &first ? first_worker : second_worker;
    worker.post([pair, &config, &request, now, &keep] {
      const RequestFacts facts{request, std::nullopt, std::nullopt, std::nullopt};
      for (int i = 0; i < kEach; ++i) {
        check(config, PluginScope{"route-1", ""}, facts, *pair, now, keep);
      }
    });
  }
  ASSERT_EQ(decided.get_future().wait_for(30s), std::future_status::ready);
  std::vector<int> remaining;
  int refused = 0;
  for (const Decision& decision : decisions) {
    if (decision.allowed) {
      remaining.push_back(std::stoi(headers_of(decision)["X-RateLimit-Remaining-Minute"]));
    } else {
      ++refused;
      EXPECT_EQ(decision.status, 429);
      EXPECT_EQ(headers_of(decision)["X-RateLimit-Remaining-Minute"], "0");
    }
  }
  EXPECT_EQ(remaining.size(), 60u);
  EXPECT_EQ(refused, 40);
  std::sort(remaining.begin(), remaining.end());
  std::vector<int> zero_to_59(60);
  std::iota(zero_to_59.begin(), zero_to_59.end(), 0);
  EXPECT_EQ(remaining, zero_to_59);

  // Kong's redis policy keeps refused requests counted.
  RedisClient client(redis.port());
  const std::string key =
      counter_key(PluginScope{"route-1", ""}, "192.0.2.99", Period::minute, now);
  EXPECT_EQ(client.command({"GET", key}).text, "100");
}

TEST(GatewayRedis, RedisDownFailsFastAndFaultToleranceDecides) {
  harness::RedisServer redis;
  Worker worker;
  RedisConfig redis_config = redis_at(redis.port());
  RedisStore store(worker.executor(), redis_config);
  const std::string subject = counter_subject({}, "192.0.2.2");
  const Seconds now = now_seconds();
  ASSERT_FALSE(add_and_wait(store, subject, kMinuteAndHour, now).error);

  redis.stop();
  for (int i = 0; i < 3; ++i) {
    const Timed down = timed_add(store, subject, now);
    ASSERT_TRUE(down.result.error);
    EXPECT_NE(down.result.error->find("Redis " + redis.address()), std::string::npos)
        << *down.result.error;
    EXPECT_LT(down.took, 1s) << *down.result.error;
  }

  const Request request{"GET", "/orders", "", {}, "", "192.0.2.3"};
  Config tolerant = per_minute(5, redis_config);
  tolerant.fault_tolerant = true;
  const auto start = Clock::now();
  const Decision let_through = check_and_wait(tolerant, store, request, now);
  EXPECT_TRUE(let_through.allowed);
  EXPECT_TRUE(let_through.headers.empty());

  Config strict = per_minute(5, redis_config);
  strict.fault_tolerant = false;
  const Decision failed = check_and_wait(strict, store, request, now);
  EXPECT_FALSE(failed.allowed);
  EXPECT_EQ(failed.status, 500);
  EXPECT_EQ(failed.body, R"({"message":"An unexpected error occurred"})");
  EXPECT_LT(Clock::now() - start, 1s);

  // Back on the same port, without the old counts (no persistence): counting resumes.
  redis.start();
  std::optional<CountResult> back;
  EXPECT_TRUE(harness::wait_until(
      [&] {
        CountResult result = add_and_wait(store, subject, kMinuteAndHour, now);
        if (result.error) return false;
        back = std::move(result);
        return true;
      },
      15s));
  ASSERT_TRUE(back);
  EXPECT_EQ(back->counts, (std::vector<std::int64_t>{1, 1}));
  EXPECT_EQ(add_and_wait(store, subject, kMinuteAndHour, now).counts,
            (std::vector<std::int64_t>{2, 2}));
  const Decision counted = check_and_wait(strict, store, request, now);
  EXPECT_TRUE(counted.allowed);
  EXPECT_EQ(headers_of(counted)["X-RateLimit-Remaining-Minute"], "4");
}

TEST(GatewayRedis, NoServerAnswersAtOnce) {
  Worker worker;
  RedisStore store(worker.executor(), redis_at(harness::free_port()));
  const std::string subject = counter_subject({}, "192.0.2.4");
  const Timed refused = timed_add(store, subject, now_seconds());
  ASSERT_TRUE(refused.result.error);
  EXPECT_NE(refused.result.error->find("cannot connect: Connection refused"), std::string::npos)
      << *refused.result.error;
  EXPECT_LT(refused.took, 1s);

  // Backing off: the next request does not even try, and says so.
  const Timed again = timed_add(store, subject, now_seconds());
  ASSERT_TRUE(again.result.error);
  EXPECT_NE(again.result.error->find("next attempt in"), std::string::npos) << *again.result.error;
  EXPECT_LT(again.took, 500ms);
}

TEST(GatewayRedis, HungServerFailsAfterTheTimeout) {
  SilentListener hung;
  Worker worker;
  RedisStore store(worker.executor(), redis_at(hung.port(), 300));
  const Timed result = timed_add(store, counter_subject({}, "192.0.2.5"), now_seconds());
  ASSERT_TRUE(result.result.error);
  EXPECT_NE(result.result.error->find("no connection within 300 ms"), std::string::npos)
      << *result.result.error;
  EXPECT_GE(result.took, 250ms);
  EXPECT_LT(result.took, 3s);
}

TEST(GatewayRedis, SlowRepliesFailAfterTheTimeoutThenCountingResumes) {
  harness::RedisServer redis;
  Worker worker;
  RedisStore store(worker.executor(), redis_at(redis.port(), 300));
  const std::string subject = counter_subject({}, "192.0.2.6");
  const Seconds now = now_seconds();
  ASSERT_FALSE(add_and_wait(store, subject, kMinuteAndHour, now).error);

  // Redis holds every client's commands for 1.5 s: the connection is up but nothing answers.
  RedisClient client(redis.port());
  ASSERT_EQ(client.command({"CLIENT", "PAUSE", "1500", "ALL"}).text, "OK");
  const Timed slow = timed_add(store, subject, now);
  ASSERT_TRUE(slow.result.error);
  EXPECT_NE(slow.result.error->find("no reply within 300 ms"), std::string::npos)
      << *slow.result.error;
  EXPECT_GE(slow.took, 250ms);
  EXPECT_LT(slow.took, 1400ms);

  // The paused command may or may not have run once the pause ended; either way counting
  // resumes on a new connection.
  std::optional<CountResult> back;
  EXPECT_TRUE(harness::wait_until(
      [&] {
        CountResult result = add_and_wait(store, subject, kMinuteAndHour, now);
        if (result.error) return false;
        back = std::move(result);
        return true;
      },
      15s));
  ASSERT_TRUE(back);
  EXPECT_GE(back->counts.at(0), 2);
}

TEST(GatewayRedis, PasswordsAreChecked) {
  harness::RedisServer redis;
  {
    RedisClient admin(redis.port());
    ASSERT_EQ(admin.command({"CONFIG", "SET", "requirepass", "s3cret"}).text, "OK");
  }
  Worker worker;
  const std::string subject = counter_subject({}, "192.0.2.7");
  const Seconds now = now_seconds();

  RedisConfig wrong = redis_at(redis.port());
  wrong.password = "not-it";
  RedisStore wrong_store(worker.executor(), wrong);
  const CountResult refused = add_and_wait(wrong_store, subject, kMinuteAndHour, now);
  ASSERT_TRUE(refused.error);
  EXPECT_EQ(*refused.error, "Redis " + redis.address() +
                                ": AUTH failed: WRONGPASS invalid username-password pair or "
                                "user is disabled.");

  RedisStore no_password_store(worker.executor(), redis_at(redis.port()));
  const CountResult anonymous = add_and_wait(no_password_store, subject, kMinuteAndHour, now);
  ASSERT_TRUE(anonymous.error);
  EXPECT_NE(anonymous.error->find("SCRIPT LOAD failed: NOAUTH"), std::string::npos)
      << *anonymous.error;

  RedisConfig right = redis_at(redis.port());
  right.password = "s3cret";
  RedisStore right_store(worker.executor(), right);
  EXPECT_EQ(add_and_wait(right_store, subject, kMinuteAndHour, now).counts,
            (std::vector<std::int64_t>{1, 1}));

  RedisConfig acl_user = right;
  acl_user.username = "default";
  RedisStore acl_store(worker.executor(), acl_user);
  EXPECT_EQ(add_and_wait(acl_store, subject, kMinuteAndHour, now).counts,
            (std::vector<std::int64_t>{2, 2}));
}

TEST(GatewayRedis, DatabaseIsSelected) {
  harness::RedisServer redis;
  Worker worker;
  RedisConfig config = redis_at(redis.port());
  config.database = 5;
  RedisStore store(worker.executor(), config);
  const std::string subject = counter_subject({}, "192.0.2.8");
  ASSERT_FALSE(add_and_wait(store, subject, kMinuteAndHour, now_seconds()).error);

  RedisClient client(redis.port());
  EXPECT_TRUE(client.command({"KEYS", "*"}).elements.empty());
  client.command({"SELECT", "5"});
  EXPECT_EQ(client.command({"KEYS", "*"}).elements.size(), 2u);
}

TEST(GatewayRedis, AForgottenScriptIsSentAgain) {
  harness::RedisServer redis;
  Worker worker;
  RedisStore store(worker.executor(), redis_at(redis.port()));
  const std::string subject = counter_subject({}, "192.0.2.9");
  const Seconds now = now_seconds();
  ASSERT_FALSE(add_and_wait(store, subject, kMinuteAndHour, now).error);

  RedisClient client(redis.port());
  ASSERT_EQ(client.command({"SCRIPT", "FLUSH"}).text, "OK");
  const CountResult after_flush = add_and_wait(store, subject, kMinuteAndHour, now);
  ASSERT_FALSE(after_flush.error) << *after_flush.error;
  EXPECT_EQ(after_flush.counts, (std::vector<std::int64_t>{2, 2}));
}

TEST(GatewayRedis, TlsIsRefusedUpFront) {
  Worker worker;
  RedisConfig config = redis_at(6379);
  config.ssl = true;
  EXPECT_THROW(RedisStore(worker.executor(), config), std::invalid_argument);
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
