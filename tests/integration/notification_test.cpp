// notification-service against the real thing: PostgreSQL (databases users and notifications),
// Kafka, the real user-service and a real SMTP server (aiosmtpd, deploy/local/smtp-server)
// whose maildir shows what arrived. Order events go in through Kafka as order-service would
// publish them; what comes out is e-mail, GET /notifications and the dead-letter topic.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/json.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "chassis/core/ids.hpp"
#include "chassis/events/kafka.hpp"
#include "chassis/http/client.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace asio = boost::asio;
namespace json = boost::json;
namespace fs = std::filesystem;

namespace {
constexpr auto kWait = 60s;

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// One message as the SMTP server stored it.
struct Mail {
  std::map<std::string, std::string> headers;  // lower-case names, values unfolded
  std::string body;
  std::string header(const std::string& name) const {
    auto it = headers.find(lower(name));
    return it == headers.end() ? std::string() : it->second;
  }
};

Mail parse_mail(const std::string& raw) {
  Mail m;
  std::istringstream in(raw);
  std::string line, name;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) break;
    if ((line[0] == ' ' || line[0] == '\t') && !name.empty()) {
      m.headers[name] += line;  // unfolding: the line break goes, the space stays
      continue;
    }
    auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    name = lower(line.substr(0, colon));
    std::string value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.erase(0, 1);
    if (!m.headers.contains(name)) m.headers[name] = value;
  }
  std::stringstream rest;
  rest << in.rdbuf();
  m.body = rest.str();
  return m;
}

// The shared harness's SMTP server, read as parsed mail.
class SmtpServer : public harness::SmtpServer {
 public:
  // The messages whose subject names `order_id`.
  std::vector<Mail> about(const std::string& order_id) const {
    std::vector<Mail> out;
    for (const auto& text : messages()) {
      Mail m = parse_mail(text);
      if (m.header("Subject").find(order_id) != std::string::npos) out.push_back(std::move(m));
    }
    return out;
  }
};

// Starts the SMTP server again when a test that stopped it ends early.
struct SmtpRunningAgain {
  SmtpServer& smtp;
  ~SmtpRunningAgain() {
    try {
      smtp.start();
    } catch (...) {
    }
  }
};

class Notifications : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new harness::PgCluster("users notifications");
    kafka_ = new harness::KafkaBroker();
    smtp_ = new SmtpServer();
    users_ = new harness::UserService(pg_->url("users"));
    service_ = new harness::ServiceProcess(NOTIFICATION_SERVICE_BIN, service_env());
  }
  static void TearDownTestSuite() {
    delete service_;
    delete users_;
    delete smtp_;
    delete kafka_;
    delete pg_;
  }

  static std::map<std::string, std::string> service_env() {
    return {{"DB_URL", pg_->url("notifications")},
            {"KAFKA_BROKERS", kafka_->bootstrap()},
            {"USER_SERVICE_URL", users_->url()},
            {"SMTP_URL", smtp_->url()},
            {"SMTP_TIMEOUT", "5s"},
            {"HTTP_THREADS", "2"}};
  }

  void SetUp() override {
    loop_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    guard_.reset();
    ioc_.stop();
    loop_.join();
  }

  static events::KafkaOptions kafka() { return {kafka_->bootstrap(), "notification-test"}; }

  void publish(const events::Event& e) {
    asio::co_spawn(ioc_, producer_->send(e), asio::use_future).get();
  }

  static events::Event order_event(const std::string& topic, const std::string& order_id,
                                   const std::string& user_id, long long total_cents,
                                   json::object extra = {}) {
    json::object data{{"order_id", order_id},
                      {"user_id", user_id},
                      {"total_cents", total_cents},
                      {"currency", "EUR"}};
    for (auto& [k, v] : extra) data[k] = v;
    return events::make_event(topic, order_id, "/services/order", json::serialize(data),
                              "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  }

  // A user created through user-service; returns its id.
  std::string new_user(std::string* email_out = nullptr) {
    std::string email = "buyer." + ids::random_hex(6) + "@example.com";
    auto r = client_.post_json(
        users_->url("/users"),
        json::object{{"name", "Ada Buyer"}, {"email", email}, {"password", "a-long-password"}});
    EXPECT_EQ(r.status, 201) << r.body;
    if (email_out != nullptr) *email_out = email;
    return std::string(r.json().at("id").as_string());
  }

  json::array notifications(const std::string& user_id, const std::string& order_id = "") {
    std::string url = service_->url("/notifications?user_id=" + user_id);
    if (!order_id.empty()) url += "&order_id=" + order_id;
    auto r = client_.get(url);
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) return {};
    return r.json().at("items").as_array();
  }

  // The order's notification once `done` holds for it (empty object on timeout).
  json::object wait_for(const std::string& user_id, const std::string& order_id,
                        const std::function<bool(const json::object&)>& done) {
    json::object found;
    harness::wait_until(
        [&] {
          auto items = notifications(user_id, order_id);
          if (items.empty()) return false;
          found = items[0].as_object();
          return done(found);
        },
        kWait);
    return found;
  }

  json::object wait_for_status(const std::string& user_id, const std::string& order_id,
                               const std::string& status) {
    auto n = wait_for(user_id, order_id,
                      [&](const json::object& o) { return o.at("status").as_string() == status; });
    EXPECT_FALSE(n.empty()) << "order " << order_id << " never reached " << status;
    return n;
  }

  // The value of one series in /metrics (0 when absent).
  double metric(const std::string& series) {
    auto text = client_.get(service_->url("/metrics")).body;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
      if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
    return 0;
  }

  static harness::PgCluster* pg_;
  static harness::KafkaBroker* kafka_;
  static SmtpServer* smtp_;
  static harness::UserService* users_;
  static harness::ServiceProcess* service_;

  http::BlockingClient client_;
  asio::io_context ioc_;
  asio::executor_work_guard<asio::io_context::executor_type> guard_{ioc_.get_executor()};
  std::thread loop_;
  std::unique_ptr<events::Producer> producer_ = std::make_unique<events::Producer>(kafka());
};
harness::PgCluster* Notifications::pg_ = nullptr;
harness::KafkaBroker* Notifications::kafka_ = nullptr;
SmtpServer* Notifications::smtp_ = nullptr;
harness::UserService* Notifications::users_ = nullptr;
harness::ServiceProcess* Notifications::service_ = nullptr;

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST_F(Notifications, AnOrderCreatedEventSendsTheUserAnEmail) {
  std::string email;
  auto user = new_user(&email);
  auto order = ids::uuid_v4();
  publish(order_event("order.created", order, user, 1999));

  ASSERT_TRUE(harness::wait_until([&] { return smtp_->about(order).size() == 1; }, kWait));
  auto mail = smtp_->about(order)[0];
  EXPECT_EQ(mail.header("X-RcptTo"), email);
  EXPECT_EQ(mail.header("X-MailFrom"), "orders@bazaar.local");
  EXPECT_EQ(mail.header("To"), "<" + email + ">");
  EXPECT_EQ(mail.header("From"), "Bazaar <orders@bazaar.local>");
  EXPECT_EQ(mail.header("Subject"), "Your order " + order + " was received");
  EXPECT_FALSE(mail.header("Date").empty());
  EXPECT_EQ(mail.header("MIME-Version"), "1.0");
  EXPECT_EQ(mail.header("Content-Type"), "text/plain; charset=utf-8");
  EXPECT_TRUE(contains(mail.body, "19.99 EUR")) << mail.body;
  EXPECT_TRUE(contains(mail.body, order)) << mail.body;

  auto n = wait_for_status(user, order, "SENT");
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(n.at("kind").as_string(), "created");
  EXPECT_EQ(n.at("user_id").as_string(), user);
  EXPECT_EQ(n.at("order_id").as_string(), order);
  EXPECT_EQ(n.at("attempts").as_int64(), 1);
  EXPECT_TRUE(n.at("last_error").is_null());
  EXPECT_TRUE(n.at("sent_at").is_string());
  EXPECT_TRUE(n.at("created_at").is_string());
  // The Message-ID names the notification, so a resent copy is recognisably the same mail.
  EXPECT_EQ(mail.header("Message-ID"),
            "<" + std::string(n.at("id").as_string()) + "@bazaar.local>");
}

TEST_F(Notifications, ConfirmedAndCancelledOrdersGetTheirEmails) {
  std::string email;
  auto user = new_user(&email);
  auto confirmed = ids::uuid_v4();
  auto cancelled = ids::uuid_v4();
  publish(order_event("order.confirmed", confirmed, user, 4250));
  publish(order_event("order.cancelled", cancelled, user, 120000,
                      {{"reason", "payment declined: amount above limit"}}));

  ASSERT_TRUE(harness::wait_until(
      [&] { return smtp_->about(confirmed).size() == 1 && smtp_->about(cancelled).size() == 1; },
      kWait));
  auto c = smtp_->about(confirmed)[0];
  EXPECT_EQ(c.header("Subject"), "Your order " + confirmed + " is confirmed");
  EXPECT_EQ(c.header("X-RcptTo"), email);
  EXPECT_TRUE(contains(c.body, "42.50 EUR")) << c.body;
  auto x = smtp_->about(cancelled)[0];
  EXPECT_EQ(x.header("Subject"),
            "Your order " + cancelled + " was cancelled: payment declined: amount above limit");
  EXPECT_TRUE(contains(x.body, "payment declined: amount above limit")) << x.body;
  EXPECT_TRUE(contains(x.body, "1200.00 EUR")) << x.body;

  EXPECT_EQ(wait_for_status(user, confirmed, "SENT").at("kind").as_string(), "confirmed");
  EXPECT_EQ(wait_for_status(user, cancelled, "SENT").at("kind").as_string(), "cancelled");
  EXPECT_EQ(notifications(user).size(), 2u);
}

TEST_F(Notifications, EmailsWaitWhileTheSmtpServerIsDownAndGoOutWhenItIsBack) {
  auto user = new_user();
  auto first = ids::uuid_v4();
  auto second = ids::uuid_v4();
  double retried_before = metric("notifications_retried_total");
  {
    SmtpRunningAgain restart{*smtp_};
    smtp_->stop();
    publish(order_event("order.created", first, user, 500));
    publish(order_event("order.confirmed", second, user, 500));
    // Both were tried, failed, and wait for their next attempt.
    for (const auto& order : {first, second}) {
      auto n = wait_for(user, order,
                        [](const json::object& o) { return o.at("attempts").as_int64() >= 1; });
      ASSERT_FALSE(n.empty()) << order;
      EXPECT_EQ(n.at("status").as_string(), "PENDING");
      ASSERT_TRUE(n.at("last_error").is_string());
      EXPECT_TRUE(contains(std::string(n.at("last_error").as_string()), "smtp"))
          << n.at("last_error");
    }
    EXPECT_TRUE(harness::wait_until(
        [&] { return metric("notifications_retried_total") >= retried_before + 2; }, kWait));
    EXPECT_TRUE(smtp_->about(first).empty());
    smtp_->start();
  }

  ASSERT_TRUE(harness::wait_until(
      [&] { return smtp_->about(first).size() == 1 && smtp_->about(second).size() == 1; }, kWait));
  for (const auto& order : {first, second}) {
    auto n = wait_for_status(user, order, "SENT");
    ASSERT_FALSE(n.empty());
    EXPECT_GT(n.at("attempts").as_int64(), 1);
    EXPECT_TRUE(n.at("last_error").is_string());  // why the earlier attempts failed
  }
}

TEST_F(Notifications, TheSameEventDeliveredTwiceSendsOneEmail) {
  auto user = new_user();
  auto order = ids::uuid_v4();
  double duplicates_before = metric("notification_events_total{outcome=\"duplicate\"}");
  auto e = order_event("order.created", order, user, 700);
  publish(e);
  publish(e);  // the same event (same ce_id) again, as a redelivery brings it
  // The same news under a new event id (a producer that published twice) adds nothing either.
  publish(order_event("order.created", order, user, 700));

  ASSERT_TRUE(harness::wait_until(
      [&] {
        return metric("notification_events_total{outcome=\"duplicate\"}") >= duplicates_before + 2;
      },
      kWait));
  ASSERT_FALSE(wait_for_status(user, order, "SENT").empty());
  EXPECT_EQ(smtp_->about(order).size(), 1u);
  EXPECT_EQ(notifications(user, order).size(), 1u);
}

TEST_F(Notifications, AnUnknownUserFailsAtOnceAndLaterNotificationsStillGoOut) {
  auto ghost = ids::uuid_v4();
  auto lost = ids::uuid_v4();
  publish(order_event("order.created", lost, ghost, 100));
  auto n = wait_for_status(ghost, lost, "FAILED");
  ASSERT_FALSE(n.empty());
  EXPECT_EQ(n.at("attempts").as_int64(), 1);
  EXPECT_TRUE(contains(std::string(n.at("last_error").as_string()), "does not exist"))
      << n.at("last_error");
  EXPECT_TRUE(n.at("sent_at").is_null());

  auto user = new_user();
  auto order = ids::uuid_v4();
  publish(order_event("order.created", order, user, 100));
  ASSERT_TRUE(harness::wait_until([&] { return smtp_->about(order).size() == 1; }, kWait));
  EXPECT_TRUE(smtp_->about(lost).empty());
  EXPECT_EQ(notifications(ghost, lost).at(0).at("status").as_string(), "FAILED");
}

TEST_F(Notifications, AMalformedEventGoesToTheDeadLetterTopicAndTheConsumerCarriesOn) {
  auto user = new_user();
  auto bad = ids::uuid_v4();
  double invalid_before = metric("notification_events_total{outcome=\"invalid\"}");
  // A valid envelope whose data lacks user_id: no retry can fix that.
  publish(events::make_event(
      "order.created", bad, "/services/order",
      json::serialize(json::object{{"order_id", bad}, {"total_cents", 100}, {"currency", "EUR"}})));
  auto good = ids::uuid_v4();
  publish(order_event("order.created", good, user, 100));

  ASSERT_TRUE(harness::wait_until([&] { return smtp_->about(good).size() == 1; }, kWait));
  // (The two have different keys, so they may have been handled in either order.)
  ASSERT_TRUE(harness::wait_until(
      [&] {
        return metric("notification_events_total{outcome=\"invalid\"}") >= invalid_before + 1;
      },
      kWait));
  auto invalid = static_cast<std::size_t>(metric("notification_events_total{outcome=\"invalid\"}"));
  auto dead = events::peek(kafka(), "order.created.dlq", invalid, 30s);
  const events::RawMessage* ours = nullptr;
  for (const auto& m : dead)
    if (m.key == bad) ours = &m;
  ASSERT_NE(ours, nullptr) << dead.size() << " dead letters, none for " << bad;
  std::map<std::string, std::string> h(ours->headers.begin(), ours->headers.end());
  EXPECT_EQ(h["dlq_consumer_group"], "notification-service");
  EXPECT_TRUE(contains(h["dlq_reason"], "user_id")) << h["dlq_reason"];
  EXPECT_TRUE(smtp_->about(bad).empty());
}

TEST_F(Notifications, ListingWantsAUserIdAndTheContractIsServed) {
  EXPECT_EQ(client_.get(service_->url("/notifications")).status, 400);
  auto bad = client_.get(service_->url("/notifications?user_id=42"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.header("content-type"), "application/problem+json");
  EXPECT_EQ(
      client_.get(service_->url("/notifications?user_id=" + ids::uuid_v4() + "&order_id=x")).status,
      400);
  auto none = client_.get(service_->url("/notifications?user_id=" + ids::uuid_v4()));
  EXPECT_EQ(none.status, 200);
  EXPECT_EQ(none.json().at("items").as_array().size(), 0u);

  auto contract = client_.get(service_->url("/openapi.yaml"));
  EXPECT_EQ(contract.status, 200);
  EXPECT_EQ(contract.body.rfind("openapi: 3.1.0", 0), 0u);
  auto metrics = client_.get(service_->url("/metrics")).body;
  for (const char* family :
       {"notifications_sent_total", "notifications_failed_total", "notifications_retried_total"})
    EXPECT_TRUE(contains(metrics, std::string("# TYPE ") + family + " counter")) << family;
}

TEST_F(Notifications, StopsCleanlyOnSigterm) {
  // A second replica of its own: it joins the consumer group, then leaves it on SIGTERM.
  harness::ServiceProcess replica(NOTIFICATION_SERVICE_BIN, service_env());
  replica.process().signal(SIGTERM);
  EXPECT_EQ(replica.process().wait(30s), 0) << replica.process().output();
  EXPECT_TRUE(contains(replica.process().output(), "\"msg\":\"stopped\""));
}

TEST(NotificationConfig, AMalformedSettingStopsStartUpWithOneLineNamingIt) {
  // Every required variable is given (the test's own environment may hold some of them).
  auto env = [](std::string name, std::string value) {
    std::map<std::string, std::string> e{{"DB_URL", "postgresql://127.0.0.1:1/x"},
                                         {"KAFKA_BROKERS", "127.0.0.1:1"},
                                         {"USER_SERVICE_URL", "http://127.0.0.1:1"},
                                         {"SMTP_URL", "smtp://127.0.0.1:1"}};
    e[name] = value;
    return e;
  };
  for (auto [name, value] : {std::pair<std::string, std::string>{"SMTP_URL", "http://mail:25"},
                             {"USER_SERVICE_URL", "users:8081"},
                             {"NOTIFY_FROM", "nobody"},
                             {"NOTIFY_MAX_ATTEMPTS", "0"}}) {
    harness::Process p(NOTIFICATION_SERVICE_BIN, env(name, value));
    EXPECT_EQ(p.wait(10s), 2) << name;
    auto out = p.output();
    EXPECT_TRUE(contains(out, name)) << out;
    EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1) << out;
  }
}
