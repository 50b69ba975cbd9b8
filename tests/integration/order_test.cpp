// order-service against the real thing: its binary, PostgreSQL (databases users and
// orders), a Kafka broker and the real user-service. Placing and reading orders, validation,
// Idempotency-Key, the payment events driving the state machine (with duplicates, illegal
// transitions and dead letters), and user-service going down and coming back (deadline,
// retries, circuit breaker).
#include <gtest/gtest.h>
#include <signal.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "chassis/core/ids.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/http/client.hpp"
#include "chassis/pg/pool.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
using http::BlockingClient;
using http::ClientResponse;

namespace {
constexpr int kBreakerFailures = 3;
constexpr unsigned kRetries = 2;  // the service's default

// Blocking access to the orders database, to look behind the API (rows, the outbox).
class Database {
 public:
  explicit Database(const std::string& url) {
    pg::PoolOptions o;
    o.conninfo = url;
    o.max_size = 2;
    pool_ = std::make_unique<pg::Pool>(ioc_.get_executor(), o);
    loop_ = std::thread([this] { ioc_.run(); });
  }
  ~Database() {
    guard_.reset();
    ioc_.stop();
    loop_.join();
  }

  pg::Result query(std::string sql, pg::Params params = {}) {
    return asio::co_spawn(ioc_, run(pool_.get(), std::move(sql), std::move(params)),
                          asio::use_future)
        .get();
  }
  long long count(std::string sql, pg::Params params = {}) {
    return std::stoll(std::string(query(std::move(sql), std::move(params)).get(0, 0)));
  }

  // Runs `sql` in a transaction that stays open (holding its locks) until release().
  std::shared_ptr<pg::Transaction> hold(std::string sql, pg::Params params) {
    return asio::co_spawn(ioc_, open(pool_.get(), std::move(sql), std::move(params)),
                          asio::use_future)
        .get();
  }
  // Rolls back: a transaction dropped without commit closes its connection.
  void release(std::shared_ptr<pg::Transaction> tx) {
    // Dropped on the pool's own thread, where its connection lives.
    asio::post(ioc_, [tx = std::move(tx)]() mutable { tx.reset(); });
  }

 private:
  static pg::Task<pg::Result> run(pg::Pool* pool, std::string sql, pg::Params params) {
    co_return co_await pool->query_sql(std::move(sql), std::move(params));
  }
  static pg::Task<std::shared_ptr<pg::Transaction>> open(pg::Pool* pool, std::string sql,
                                                         pg::Params params) {
    auto tx = std::make_shared<pg::Transaction>(co_await pool->begin());
    co_await tx->exec_sql(std::move(sql), std::move(params));
    co_return tx;
  }

  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::thread loop_;
  std::unique_ptr<pg::Pool> pool_;
};

class OrderService : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new harness::PgCluster("users orders");
    kafka_ = new harness::KafkaBroker();
    users_ = std::make_unique<harness::UserService>(pg_->url("users"));
    users_port_ = users_->port();
    orders_ = new harness::ServiceProcess(ORDER_SERVICE_BIN,
                                          {{"DB_URL", pg_->url("orders")},
                                           {"KAFKA_BROKERS", kafka_->bootstrap()},
                                           {"USER_SERVICE_URL", users_->url()},
                                           {"HTTP_THREADS", "2"},
                                           {"USER_CHECK_TIMEOUT", "500ms"},
                                           {"BREAKER_FAILURES", std::to_string(kBreakerFailures)},
                                           {"BREAKER_COOLDOWN", "500ms"}});
    db_ = new Database(pg_->url("orders"));
    io_ = new asio::io_context();
    io_guard_ = new asio::executor_work_guard<asio::io_context::executor_type>(io_->get_executor());
    io_thread_ = new std::thread([] { io_->run(); });
    producer_ = new events::Producer(kafka());
  }
  static void TearDownTestSuite() {
    delete producer_;
    delete io_guard_;
    io_->stop();
    io_thread_->join();
    delete io_thread_;
    delete io_;
    delete db_;
    delete orders_;
    restarted_users_.reset();
    users_.reset();
    delete kafka_;
    delete pg_;
  }

  // The running user-service: the first one, or the one started after it was killed.
  static harness::Process& user_process() {
    return restarted_users_ ? *restarted_users_ : users_->process();
  }
  static events::KafkaOptions kafka() { return {kafka_->bootstrap(), "order-test"}; }
  static std::string users_url(const std::string& path) {
    return "http://127.0.0.1:" + std::to_string(users_port_) + path;
  }

  // ---- HTTP
  ClientResponse send(const std::string& method, const std::string& path, std::string body = {},
                      http::Headers headers = {}) {
    http::ClientRequest r;
    r.method = method;
    r.url = orders_->url(path);
    r.body = std::move(body);
    r.headers = std::move(headers);
    if (!r.body.empty() && http::find_header(r.headers, "Content-Type").empty())
      r.headers.emplace_back("Content-Type", "application/json");
    return client_.send(std::move(r));
  }
  ClientResponse post_order(const json::value& body, http::Headers headers = {}) {
    return send("POST", "/orders", json::serialize(body), std::move(headers));
  }
  // A connection of its own each time (a client of its own: the chassis client keeps
  // connections alive whatever the request says), so the kernel spreads them over the workers.
  ClientResponse post_order_fresh_connection(const json::value& body) {
    BlockingClient fresh;
    return fresh.send(http::json_request("POST", orders_->url("/orders"), body));
  }

  std::string create_user() {
    auto r = client_.post_json(users_url("/users"),
                               json::object{{"name", "Buyer"},
                                            {"email", "b-" + ids::random_hex(6) + "@example.com"},
                                            {"password", "password-123"}});
    EXPECT_EQ(r.status, 201) << r.body;
    return std::string(r.json().at("id").as_string());
  }

  static json::object order_body(const std::string& user_id, long long quantity = 2) {
    return {{"user_id", user_id},
            {"items",
             json::array{json::object{
                             {"sku", "BOOK-1"}, {"quantity", quantity}, {"unit_price_cents", 1250}},
                         json::object{{"sku", "PEN"}, {"quantity", 3}, {"unit_price_cents", 99}}}},
            {"currency", "EUR"}};
  }

  json::object place_order(const std::string& user_id) {
    auto r = post_order(order_body(user_id));
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().as_object();
  }

  std::string status_of(const std::string& order_id) {
    auto r = send("GET", "/orders/" + order_id);
    EXPECT_EQ(r.status, 200) << r.body;
    return std::string(r.json().at("status").as_string());
  }

  // ---- metrics
  std::map<std::string, double> metrics(const std::string& family) {
    std::map<std::string, double> out;
    auto text = send("GET", "/metrics").body;
    std::size_t pos = 0;
    while (pos < text.size()) {
      auto end = text.find('\n', pos);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(pos, end - pos);
      pos = end + 1;
      if (line.rfind(family + "{", 0) != 0 && line.rfind(family + " ", 0) != 0) continue;
      auto space = line.rfind(' ');
      out[line.substr(0, space)] = std::stod(line.substr(space + 1));
    }
    return out;
  }
  double metric(const std::string& series) {
    auto family = series.substr(0, series.find('{'));
    auto all = metrics(family);
    auto it = all.find(series);
    return it == all.end() ? 0 : it->second;
  }
  double failed_calls() {
    return metric(R"(dependency_requests_total{dependency="user-service",result="failure"})");
  }
  double rejected_calls() {
    return metric(R"(circuit_breaker_rejected_total{dependency="user-service"})");
  }
  // Every worker's breaker is in `state` (0 closed, 1 open, 2 half-open).
  bool all_breakers(double state) {
    auto gauges = metrics("circuit_breaker_state");
    if (gauges.size() != 2) return false;  // HTTP_THREADS=2
    for (const auto& [series, value] : gauges)
      if (value != state) return false;
    return true;
  }

  // ---- events
  static void publish(events::Event e) {
    asio::co_spawn(*io_, producer_->send(std::move(e)), asio::use_future).get();
  }
  static events::Event payment_event(const std::string& topic, const json::object& order,
                                     std::optional<std::string> reason = std::nullopt) {
    json::object data{{"order_id", order.at("id")},
                      {"user_id", order.at("user_id")},
                      {"total_cents", order.at("total_cents")},
                      {"currency", order.at("currency")}};
    if (reason)
      data["reason"] = *reason;
    else
      data["payment_id"] = ids::uuid_v4();
    return events::make_event(topic, std::string(order.at("id").as_string()), "/services/payment",
                              json::serialize(data));
  }

  static std::string header(const events::RawMessage& m, const std::string& name) {
    for (const auto& [k, v] : m.headers)
      if (k == name) return v;
    return {};
  }

  // Everything the outbox has committed so far has been acknowledged by Kafka.
  static bool outbox_drained() { return db_->count("SELECT count(*) FROM outbox") == 0; }

  // The messages of an order.* topic, checked to be exactly one per order the database says
  // it announced (`sql` selects those order ids). Exact without any waiting for "nothing
  // more": once the outbox is drained, reading as many messages as there are such orders
  // and finding every one of them once leaves no room for a duplicate or a stray.
  std::map<std::string, events::RawMessage> announced(const std::string& topic,
                                                      const std::string& sql) {
    EXPECT_TRUE(harness::wait_until(outbox_drained, 30s));
    auto rows = db_->query(sql);
    std::set<std::string> expected;
    for (int i = 0; i < rows.rows(); ++i) expected.insert(std::string(rows.get(i, 0)));
    auto got = events::peek(kafka(), topic, expected.size(), 30s);
    std::map<std::string, events::RawMessage> by_key;
    for (auto& m : got) {
      EXPECT_TRUE(expected.contains(m.key)) << topic << " announced unknown order " << m.key;
      EXPECT_TRUE(by_key.emplace(m.key, m).second) << topic << " announced twice: " << m.key;
    }
    EXPECT_EQ(by_key.size(), expected.size()) << topic;
    return by_key;
  }

  // order-service wrote a log line containing every one of `parts`.
  bool service_logged(std::initializer_list<std::string> parts) {
    std::istringstream out(orders_->process().output());
    for (std::string line; std::getline(out, line);) {
      bool all = true;
      for (const auto& p : parts) all = all && line.find(p) != std::string::npos;
      if (all) return true;
    }
    return false;
  }

  static harness::PgCluster* pg_;
  static harness::KafkaBroker* kafka_;
  static std::unique_ptr<harness::UserService> users_;
  static std::unique_ptr<harness::Process> restarted_users_;
  static int users_port_;
  static harness::ServiceProcess* orders_;
  static Database* db_;
  static asio::io_context* io_;
  static asio::executor_work_guard<asio::io_context::executor_type>* io_guard_;
  static std::thread* io_thread_;
  static events::Producer* producer_;
  BlockingClient client_;
};
harness::PgCluster* OrderService::pg_ = nullptr;
harness::KafkaBroker* OrderService::kafka_ = nullptr;
std::unique_ptr<harness::UserService> OrderService::users_;
std::unique_ptr<harness::Process> OrderService::restarted_users_;
int OrderService::users_port_ = 0;
harness::ServiceProcess* OrderService::orders_ = nullptr;
Database* OrderService::db_ = nullptr;
asio::io_context* OrderService::io_ = nullptr;
asio::executor_work_guard<asio::io_context::executor_type>* OrderService::io_guard_ = nullptr;
std::thread* OrderService::io_thread_ = nullptr;
events::Producer* OrderService::producer_ = nullptr;

std::vector<std::string> problem_fields(const ClientResponse& r) {
  std::vector<std::string> out;
  auto body = r.json();
  for (const auto& e : body.at("errors").as_array()) out.emplace_back(e.at("field").as_string());
  return out;
}
}  // namespace

// ---------------------------------------------------------------- placing and reading

TEST_F(OrderService, AnOrderForAnExistingUserIsCreatedAnnouncedAndReadable) {
  auto user = create_user();
  std::string traceparent = "00-" + ids::random_hex(16) + "-" + ids::random_hex(8) + "-01";
  auto r = post_order(order_body(user), {{"traceparent", traceparent}});
  ASSERT_EQ(r.status, 201) << r.body;
  auto body = r.json().as_object();
  std::string id(body.at("id").as_string());
  EXPECT_TRUE(ids::is_uuid(id));
  EXPECT_EQ(r.header("Location"), "/orders/" + id);
  EXPECT_EQ(body.at("user_id").as_string(), user);
  EXPECT_EQ(body.at("total_cents").as_int64(), 2 * 1250 + 3 * 99);
  EXPECT_EQ(body.at("currency").as_string(), "EUR");
  EXPECT_EQ(body.at("status").as_string(), "PENDING_PAYMENT");
  EXPECT_EQ(body.at("items"), order_body(user).at("items"));
  EXPECT_FALSE(body.at("created_at").as_string().empty());
  EXPECT_EQ(body.size(), 7u);

  // The same order, read back.
  auto got = send("GET", "/orders/" + id);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.json(), json::value(body));

  // order.created: key = order id, the guide's data, the request's trace carried along.
  auto events = announced("order.created", "SELECT id FROM orders");
  ASSERT_TRUE(events.contains(id));
  const auto& m = events.at(id);
  EXPECT_EQ(json::parse(m.value),
            json::value(json::object{
                {"order_id", id}, {"user_id", user}, {"total_cents", 2797}, {"currency", "EUR"}}));
  EXPECT_EQ(header(m, "ce_type"), "bazaar.order.created");
  EXPECT_EQ(header(m, "ce_source"), "/services/order");
  auto trace_id = traceparent.substr(3, 32);
  EXPECT_EQ(header(m, "traceparent").substr(3, 32), trace_id);
  // user-service was asked within the same trace.
  EXPECT_TRUE(harness::wait_until(
      [&] { return user_process().output().find(trace_id) != std::string::npos; }, 10s));
}

TEST_F(OrderService, AUsersOrdersAreListedAPageAtATime) {
  auto user = create_user();
  std::set<std::string> placed;
  for (int i = 0; i < 5; ++i) placed.insert(std::string(place_order(user).at("id").as_string()));
  place_order(create_user());  // someone else's

  std::vector<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = send("GET", "/orders?user_id=" + user + "&limit=2" +
                             (cursor.empty() ? "" : "&cursor=" + cursor));
    ASSERT_EQ(r.status, 200) << r.body;
    auto page = r.json().as_object();
    ++pages;
    for (const auto& o : page.at("items").as_array()) {
      EXPECT_EQ(o.at("user_id").as_string(), user);
      EXPECT_EQ(o.at("items").as_array().size(), 2u);
      seen.emplace_back(o.at("id").as_string());
    }
    if (page.at("next_cursor").is_null()) break;
    cursor = std::string(page.at("next_cursor").as_string());
  }
  EXPECT_EQ(pages, 3);
  EXPECT_TRUE(std::is_sorted(seen.begin(), seen.end()));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()), placed);
  EXPECT_EQ(seen.size(), placed.size());

  auto none = send("GET", "/orders?user_id=" + ids::uuid_v4());
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.json().at("items").as_array().empty());
  EXPECT_TRUE(none.json().at("next_cursor").is_null());
}

TEST_F(OrderService, BadIdsAndQueriesAre400AndUnknownOrdersAre404) {
  EXPECT_EQ(send("GET", "/orders/" + ids::uuid_v4()).status, 404);
  auto bad = send("GET", "/orders/not-a-uuid");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("Content-Type"), "application/problem+json");
  auto user = ids::uuid_v4();
  for (const std::string& q : std::vector<std::string>{
           "", "?user_id=nope", "?user_id=" + user + "&limit=0", "?user_id=" + user + "&limit=101",
           "?user_id=" + user + "&limit=x", "?user_id=" + user + "&cursor=zzz"})
    EXPECT_EQ(send("GET", "/orders" + q).status, 400) << q;
  EXPECT_EQ(send("GET", "/orders?user_id=" + user + "&limit=100").status, 200);
  auto wrong = send("DELETE", "/orders/" + ids::uuid_v4());
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.header("Allow"), "GET");
  EXPECT_EQ(send("PUT", "/orders", "{}").header("Allow"), "GET, POST");
}

// ---------------------------------------------------------------- validation

TEST_F(OrderService, InvalidOrdersAre422NamingEachField) {
  auto user = create_user();
  auto r = post_order(json::object{
      {"user_id", "not-a-uuid"},
      {"items",
       json::array{json::object{{"sku", ""}, {"quantity", 0}, {"unit_price_cents", -1}},
                   json::object{{"sku", std::string(65, 'x')},
                                {"quantity", 10'001},
                                {"unit_price_cents", 1'000'000'001}},
                   json::object{{"sku", "OK"}, {"quantity", 1.5}, {"unit_price_cents", 1}}}},
      {"currency", "eur"},
      {"coupon", "FREE"}});
  ASSERT_EQ(r.status, 422) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(problem_fields(r), (std::vector<std::string>{
                                   "coupon", "user_id", "items[0].sku", "items[0].quantity",
                                   "items[0].unit_price_cents", "items[1].sku", "items[1].quantity",
                                   "items[1].unit_price_cents", "items[2].quantity", "currency"}));

  auto empty =
      post_order(json::object{{"user_id", user}, {"items", json::array{}}, {"currency", "EUR"}});
  EXPECT_EQ(problem_fields(empty), std::vector<std::string>{"items"});
  json::array many;
  for (int i = 0; i < 101; ++i)
    many.push_back(json::object{{"sku", "S"}, {"quantity", 1}, {"unit_price_cents", 1}});
  auto too_many = post_order(json::object{{"user_id", user}, {"items", many}, {"currency", "EUR"}});
  EXPECT_EQ(problem_fields(too_many), std::vector<std::string>{"items"});
  auto missing = post_order(json::object{});
  EXPECT_EQ(problem_fields(missing), (std::vector<std::string>{"user_id", "items", "currency"}));
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 0);
}

TEST_F(OrderService, MalformedJsonIs400) {
  for (const char* body : {"{\"user_id\":", "not json", "[1,2]", "\"order\""}) {
    auto r = send("POST", "/orders", body);
    EXPECT_EQ(r.status, 400) << body << " -> " << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/problem+json");
  }
  EXPECT_EQ(send("POST", "/orders", "{}", {{"Content-Type", "text/plain"}}).status, 415);
}

TEST_F(OrderService, AnUnknownUserIs422OnUserId) {
  auto stranger = ids::uuid_v4();
  auto r = post_order(order_body(stranger));
  ASSERT_EQ(r.status, 422) << r.body;
  auto errors = r.json().at("errors").as_array();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].at("field").as_string(), "user_id");
  EXPECT_EQ(errors[0].at("reason").as_string(), "no such user");
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {stranger}), 0);
}

// ---------------------------------------------------------------- Idempotency-Key

TEST_F(OrderService, TheSameKeyTwiceGivesTheSameOrderOnceWithOneEvent) {
  auto user = create_user();
  auto key = "retry-" + ids::random_hex(8);
  auto first = post_order(order_body(user), {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 201) << first.body;
  // Different spacing and key order, same order.
  auto respelled = R"({"currency":"EUR","user_id":")" + user +
                   R"(","items":[{"unit_price_cents":1250,"quantity":2,"sku":"BOOK-1"},)"
                   R"({"sku":"PEN","quantity":3,"unit_price_cents":99}]})";
  auto again = send("POST", "/orders", respelled, {{"Idempotency-Key", key}});
  ASSERT_EQ(again.status, 201) << again.body;
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(again.header("Location"), first.header("Location"));
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");

  std::string id(first.json().at("id").as_string());
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 1);
  EXPECT_EQ(db_->count("SELECT count(*) FROM idempotency_keys WHERE key = $1 AND order_id = $2",
                       {key, id}),
            1);
  auto events = announced("order.created", "SELECT id FROM orders");
  EXPECT_TRUE(events.contains(id));
}

TEST_F(OrderService, TheSameKeyWithADifferentBodyIsRefused) {
  auto user = create_user();
  auto key = "k-" + ids::random_hex(8);
  auto first = post_order(order_body(user, 2), {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 201) << first.body;
  auto other = post_order(order_body(user, 5), {{"Idempotency-Key", key}});
  EXPECT_EQ(other.status, 422) << other.body;
  EXPECT_EQ(problem_fields(other), std::vector<std::string>{"Idempotency-Key"});
  EXPECT_NE(other.json().at("detail").as_string().find("different request body"),
            std::string::npos);
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 1);
  // Without a key the same body makes a new order, as any POST does.
  EXPECT_EQ(post_order(order_body(user, 2)).status, 201);
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 2);
}

TEST_F(OrderService, AMalformedKeyIs400) {
  auto user = create_user();
  for (const std::string& key :
       std::vector<std::string>{std::string(201, 'k'), "has space", "tab\tkey"}) {
    auto r = post_order(order_body(user), {{"Idempotency-Key", key}});
    EXPECT_EQ(r.status, 400) << key;
    EXPECT_NE(r.json().at("detail").as_string().find("Idempotency-Key"), std::string::npos);
  }
  EXPECT_EQ(post_order(order_body(user), {{"Idempotency-Key", std::string(200, 'k')}}).status, 201);
}

namespace {
// `clients` identical requests with one Idempotency-Key, sent at once from threads of their own.
std::vector<ClientResponse> race(const std::string& url, const json::object& body,
                                 const std::string& key, int clients) {
  std::vector<ClientResponse> answers(clients);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      BlockingClient own;
      http::ClientRequest r = http::json_request("POST", url, body);
      r.headers.emplace_back("Idempotency-Key", key);
      answers[c] = own.send(std::move(r));
    });
  for (auto& t : threads) t.join();
  return answers;
}

// All answers are 201 with one and the same order; returns its id.
std::string one_order(const std::vector<ClientResponse>& answers) {
  std::set<std::string> ids_seen;
  for (const auto& a : answers) {
    EXPECT_EQ(a.status, 201) << a.body;
    if (a.status != 201) continue;
    ids_seen.insert(std::string(a.json().at("id").as_string()));
    EXPECT_EQ(a.body, answers[0].body);
  }
  EXPECT_EQ(ids_seen.size(), 1u);
  return ids_seen.empty() ? std::string() : *ids_seen.begin();
}
}  // namespace

TEST_F(OrderService, ConcurrentRequestsWithTheSameKeyMakeOneOrder) {
  auto user = create_user();
  constexpr int kClients = 4;
  // Free races: whichever way they interleave, one order.
  for (int round = 0; round < 3; ++round)
    one_order(
        race(orders_->url("/orders"), order_body(user), "race-" + ids::random_hex(8), kClients));

  // A forced race: the key's row is held by a transaction of the test's own, so every
  // request gets past the look-up, asks user-service and then waits on the key's unique
  // index. When that transaction rolls back, one request wins; the others wait for its
  // commit and answer with its order.
  auto key = "forced-" + ids::random_hex(8);
  auto blocker = db_->hold(
      "INSERT INTO idempotency_keys (key, request_hash, order_id) VALUES ($1, 'blocker', $2)",
      {key, ids::uuid_v4()});
  std::vector<ClientResponse> answers;
  std::thread racing(
      [&] { answers = race(orders_->url("/orders"), order_body(user), key, kClients); });
  bool all_waiting = harness::wait_until(
      [&] {
        return db_->count(
                   "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                   " AND query LIKE 'INSERT INTO idempotency_keys%'") == kClients;
      },
      30s);
  db_->release(std::move(blocker));  // rolls back
  racing.join();
  ASSERT_TRUE(all_waiting);
  auto id = one_order(answers);
  EXPECT_EQ(db_->count("SELECT count(*) FROM idempotency_keys WHERE key = $1 AND order_id = $2",
                       {key, id}),
            1);
  EXPECT_TRUE(harness::wait_until(
      [&] {
        auto out = orders_->process().output();
        std::size_t losers = 0;
        for (auto p = out.find("idempotency key taken by a concurrent request");
             p != std::string::npos;
             p = out.find("idempotency key taken by a concurrent request", p + 1))
          if (out.find(id, p) < out.find('\n', p)) ++losers;
        return losers == kClients - 1;
      },
      10s));

  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 4);
  announced("order.created", "SELECT id FROM orders");
}

// ---------------------------------------------------------------- payment events

TEST_F(OrderService, PaymentSucceededConfirmsTheOrderAndAnnouncesIt) {
  auto order = place_order(create_user());
  std::string id(order.at("id").as_string());
  auto paid = payment_event("payment.succeeded", order);
  paid.traceparent = "00-" + ids::random_hex(16) + "-" + ids::random_hex(8) + "-01";
  publish(paid);
  ASSERT_TRUE(harness::wait_until([&] { return status_of(id) == "CONFIRMED"; }, 30s));

  auto confirmed = announced("order.confirmed", "SELECT id FROM orders WHERE status = 'CONFIRMED'");
  ASSERT_TRUE(confirmed.contains(id));
  const auto& m = confirmed.at(id);
  EXPECT_EQ(json::parse(m.value), json::value(json::object{{"order_id", id},
                                                           {"user_id", order.at("user_id")},
                                                           {"total_cents", 2797},
                                                           {"currency", "EUR"}}));
  EXPECT_EQ(header(m, "traceparent"), paid.traceparent);
  EXPECT_EQ(header(m, "ce_source"), "/services/order");
}

TEST_F(OrderService, PaymentFailedCancelsTheOrderWithTheReason) {
  auto order = place_order(create_user());
  std::string id(order.at("id").as_string());
  publish(payment_event("payment.failed", order, "card declined"));
  ASSERT_TRUE(harness::wait_until([&] { return status_of(id) == "CANCELLED"; }, 30s));

  auto cancelled = announced("order.cancelled", "SELECT id FROM orders WHERE status = 'CANCELLED'");
  ASSERT_TRUE(cancelled.contains(id));
  auto data = json::parse(cancelled.at(id).value).as_object();
  EXPECT_EQ(data.at("order_id").as_string(), id);
  EXPECT_EQ(data.at("reason").as_string(), "card declined");
  EXPECT_EQ(data.at("total_cents").as_int64(), 2797);
}

TEST_F(OrderService, APaymentEventForAFinishedOrderIsRefusedAndChangesNothing) {
  auto order = place_order(create_user());
  std::string id(order.at("id").as_string());
  publish(payment_event("payment.succeeded", order));
  ASSERT_TRUE(harness::wait_until([&] { return status_of(id) == "CONFIRMED"; }, 30s));

  publish(payment_event("payment.failed", order, "too late"));
  publish(payment_event("payment.succeeded", order));
  ASSERT_TRUE(harness::wait_until(
      [&] {
        return service_logged({"illegal order transition refused", id, "\"from\":\"CONFIRMED\"",
                               "\"event\":\"payment.failed\""}) &&
               service_logged({"illegal order transition refused", id, "\"from\":\"CONFIRMED\"",
                               "\"event\":\"payment.succeeded\""});
      },
      30s))
      << orders_->process().output();
  EXPECT_EQ(status_of(id), "CONFIRMED");
  // One order.confirmed, and no order.cancelled for it.
  EXPECT_TRUE(announced("order.confirmed", "SELECT id FROM orders WHERE status = 'CONFIRMED'")
                  .contains(id));
  EXPECT_FALSE(announced("order.cancelled", "SELECT id FROM orders WHERE status = 'CANCELLED'")
                   .contains(id));
}

TEST_F(OrderService, TheSameEventDeliveredTwiceHasOneEffect) {
  auto order = place_order(create_user());
  std::string id(order.at("id").as_string());
  auto paid = payment_event("payment.succeeded", order);
  publish(paid);
  publish(paid);  // same ce_id: a redelivery
  ASSERT_TRUE(harness::wait_until(
      [&] {
        return service_logged({"payment event already handled", paid.id});
      },
      30s));
  EXPECT_EQ(status_of(id), "CONFIRMED");
  EXPECT_EQ(db_->count("SELECT count(*) FROM inbox WHERE event_id = $1", {paid.id}), 1);
  // Exactly one order.confirmed per confirmed order, this one included.
  EXPECT_TRUE(announced("order.confirmed", "SELECT id FROM orders WHERE status = 'CONFIRMED'")
                  .contains(id));
}

TEST_F(OrderService, PaymentEventsNoOrderCanTakeGoToTheDeadLetterTopic) {
  auto order = place_order(create_user());
  // Not an event at all (no CloudEvents headers), an event without an order id, and one
  // for an order that does not exist.
  asio::co_spawn(*io_, producer_->send_raw("payment.succeeded", "junk", "{not json", {}),
                 asio::use_future)
      .get();
  publish(events::make_event("payment.succeeded", "no-order-id", "/services/payment",
                             R"({"payment_id":"p-1"})"));
  auto ghost = order;
  ghost["id"] = ids::uuid_v4();
  publish(payment_event("payment.succeeded", ghost));
  // The consumer carries on: a good event behind them is handled.
  publish(payment_event("payment.succeeded", order));
  std::string id(order.at("id").as_string());
  ASSERT_TRUE(harness::wait_until([&] { return status_of(id) == "CONFIRMED"; }, 30s));

  auto dead = events::peek(kafka(), "payment.succeeded.dlq", 3, 30s);
  ASSERT_EQ(dead.size(), 3u);
  std::map<std::string, std::string> reasons;
  for (const auto& m : dead) reasons[m.key] = header(m, "dlq_reason");
  EXPECT_FALSE(reasons["junk"].empty());
  EXPECT_NE(reasons["no-order-id"].find("order_id"), std::string::npos) << reasons["no-order-id"];
  auto ghost_id = std::string(ghost.at("id").as_string());
  EXPECT_NE(reasons[ghost_id].find("no such order"), std::string::npos) << reasons[ghost_id];
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE id = $1", {ghost_id}), 0);
}

// ---------------------------------------------------------------- operations

TEST_F(OrderService, HealthMetricsAndTheContractAreServed) {
  EXPECT_EQ(send("GET", "/health/live").status, 200);
  auto ready = send("GET", "/health/ready");
  EXPECT_EQ(ready.status, 200);
  EXPECT_NE(ready.body.find("database"), std::string::npos);
  auto spec = send("GET", "/openapi.yaml");
  EXPECT_EQ(spec.status, 200);
  EXPECT_EQ(spec.header("Content-Type"), "application/yaml");
  EXPECT_EQ(spec.body.rfind("openapi: 3.1", 0), 0u);
  for (const char* path : {"/orders:", "/orders/{id}:", "Idempotency-Key", "PENDING_PAYMENT"})
    EXPECT_NE(spec.body.find(path), std::string::npos) << path;
  auto m = send("GET", "/metrics").body;
  EXPECT_NE(m.find(R"(circuit_breaker_state{dependency="user-service",worker="0"})"),
            std::string::npos);
  EXPECT_NE(m.find("http_server_request_duration_seconds"), std::string::npos);
}

TEST_F(OrderService, AMissingUserServiceUrlStopsStartUpNamingIt) {
  harness::Process p(ORDER_SERVICE_BIN,
                     {{"DB_URL", pg_->url("orders")}, {"KAFKA_BROKERS", kafka_->bootstrap()}});
  EXPECT_EQ(p.wait(10s), 2);
  EXPECT_NE(p.output().find("USER_SERVICE_URL"), std::string::npos) << p.output();
  harness::Process bad(ORDER_SERVICE_BIN, {{"DB_URL", pg_->url("orders")},
                                           {"KAFKA_BROKERS", kafka_->bootstrap()},
                                           {"USER_SERVICE_URL", "ftp://users"}});
  EXPECT_EQ(bad.wait(10s), 2);
  EXPECT_NE(bad.output().find("USER_SERVICE_URL"), std::string::npos) << bad.output();
}

TEST_F(OrderService, SigtermDrainsAndExitsZero) {
  // A second replica on the same database and broker: it takes part in the consumer group
  // and the relay election, serves, and leaves cleanly.
  harness::ServiceProcess replica(ORDER_SERVICE_BIN, {{"DB_URL", pg_->url("orders")},
                                                      {"KAFKA_BROKERS", kafka_->bootstrap()},
                                                      {"USER_SERVICE_URL", users_url("")},
                                                      {"HTTP_THREADS", "1"}});
  BlockingClient c;
  auto r = c.send(http::json_request("POST", replica.url("/orders"), order_body(create_user())));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(send("GET", "/orders/" + std::string(r.json().at("id").as_string())).status, 200);
  replica.process().signal(SIGTERM);
  EXPECT_EQ(replica.process().wait(60s), 0) << replica.process().output();
  EXPECT_NE(replica.process().output().find("\"msg\":\"stopped\""), std::string::npos);
}

// ---------------------------------------------------------------- user-service trouble

TEST_F(OrderService, AHangingUserServiceCostsTheDeadlineWithRetriesNotAHang) {
  auto user = create_user();
  user_process().signal(SIGSTOP);  // accepts connections (the kernel does), answers nothing
  double before = failed_calls();
  auto r = post_order(order_body(user));
  user_process().signal(SIGCONT);
  EXPECT_EQ(r.status, 503) << r.body;
  EXPECT_EQ(r.json().at("detail").as_string(), "user-service unavailable");
  EXPECT_FALSE(r.header("Retry-After").empty());
  EXPECT_EQ(failed_calls() - before, 1 + kRetries);  // each attempt timed out, then retried
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 0);
  // Back to normal once it answers again.
  ASSERT_TRUE(harness::wait_until([&] { return post_order(order_body(user)).status == 201; }, 30s));
}

TEST_F(OrderService, UserServiceDownOpensTheBreakerAndItClosesWhenUserServiceIsBack) {
  auto user = create_user();
  ASSERT_EQ(post_order(order_body(user)).status, 201);
  ASSERT_TRUE(all_breakers(0));

  user_process().signal(SIGKILL);
  ASSERT_GE(user_process().wait(10s), 0);

  // A quick 503 after the retries, never a hang.
  double before = failed_calls();
  auto down = post_order(order_body(user));
  EXPECT_EQ(down.status, 503) << down.body;
  EXPECT_EQ(down.header("Content-Type"), "application/problem+json");
  EXPECT_EQ(down.json().at("detail").as_string(), "user-service unavailable");
  EXPECT_FALSE(down.header("Retry-After").empty());
  EXPECT_EQ(failed_calls() - before, 1 + kRetries);

  // BREAKER_FAILURES failed checks open a worker's breaker; every worker gets its share.
  ASSERT_TRUE(harness::wait_until(
      [&] {
        EXPECT_EQ(post_order_fresh_connection(order_body(user)).status, 503);
        return all_breakers(1);
      },
      60s))
      << send("GET", "/metrics").body;

  // An open breaker answers 503 without calling user-service at all.
  ASSERT_TRUE(harness::wait_until(
      [&] {
        double failed = failed_calls(), rejected = rejected_calls();
        auto r = post_order_fresh_connection(order_body(user));
        EXPECT_EQ(r.status, 503);
        EXPECT_FALSE(r.header("Retry-After").empty());
        return failed_calls() == failed && rejected_calls() == rejected + 1;
      },
      30s));
  EXPECT_EQ(db_->count("SELECT count(*) FROM orders WHERE user_id = $1", {user}), 1);

  // user-service comes back on the same port with the same database.
  restarted_users_ = std::make_unique<harness::Process>(
      USER_SERVICE_BIN,
      std::map<std::string, std::string>{{"PORT", std::to_string(users_port_)},
                                         {"DB_URL", pg_->url("users")},
                                         {"JWT_PRIVATE_KEY_FILE", harness::test_jwt_key_file()}});
  ASSERT_TRUE(harness::wait_until(
      [&] {
        try {
          return client_.get(users_url("/health/ready"), {{"Connection", "close"}}).status == 200;
        } catch (const std::exception&) {
          return false;
        }
      },
      30s))
      << restarted_users_->output();

  // After the cool-down a trial call goes through, succeeds and closes each breaker.
  ASSERT_TRUE(harness::wait_until(
      [&] {
        auto status = post_order_fresh_connection(order_body(user)).status;
        EXPECT_TRUE(status == 201 || status == 503) << status;
        return all_breakers(0);
      },
      60s))
      << send("GET", "/metrics").body;
  auto back = post_order(order_body(user));
  EXPECT_EQ(back.status, 201) << back.body;
  EXPECT_EQ(std::string(back.json().at("user_id").as_string()), user);
}
