// The whole saga across the four real services, PostgreSQL, Kafka and SMTP: orders placed at
// order-service are charged or declined by payment-service, confirmed or cancelled by
// order-service, and e-mailed by notification-service.
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>

#include "chassis/http/client.hpp"
#include "tests/support/harness.hpp"

using namespace bazaar;
using namespace std::chrono_literals;
namespace json = boost::json;

namespace {
class Saga : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pg_ = new harness::PgCluster("users orders payments notifications");
    kafka_ = new harness::KafkaBroker();
    smtp_ = new harness::SmtpServer();
    users_ = new harness::UserService(pg_->url("users"));
    payments_ = new harness::ServiceProcess(BAZAAR_PAYMENT_SERVICE_BIN,
                                            {{"DB_URL", pg_->url("payments")},
                                             {"KAFKA_BROKERS", kafka_->bootstrap()},
                                             {"PAYMENT_DECLINE_ABOVE_CENTS", "100000"}});
    orders_ = new harness::ServiceProcess(BAZAAR_ORDER_SERVICE_BIN,
                                          {{"DB_URL", pg_->url("orders")},
                                           {"KAFKA_BROKERS", kafka_->bootstrap()},
                                           {"USER_SERVICE_URL", users_->url()}});
    notifications_ = new harness::ServiceProcess(BAZAAR_NOTIFICATION_SERVICE_BIN,
                                                 {{"DB_URL", pg_->url("notifications")},
                                                  {"KAFKA_BROKERS", kafka_->bootstrap()},
                                                  {"USER_SERVICE_URL", users_->url()},
                                                  {"SMTP_URL", smtp_->url()}});
  }
  static void TearDownTestSuite() {
    delete notifications_;
    delete orders_;
    delete payments_;
    delete users_;
    delete smtp_;
    delete kafka_;
    delete pg_;
  }

  static harness::PgCluster* pg_;
  static harness::KafkaBroker* kafka_;
  static harness::SmtpServer* smtp_;
  static harness::UserService* users_;
  static harness::ServiceProcess* payments_;
  static harness::ServiceProcess* orders_;
  static harness::ServiceProcess* notifications_;
  http::BlockingClient client_;
};
harness::PgCluster* Saga::pg_ = nullptr;
harness::KafkaBroker* Saga::kafka_ = nullptr;
harness::SmtpServer* Saga::smtp_ = nullptr;
harness::UserService* Saga::users_ = nullptr;
harness::ServiceProcess* Saga::payments_ = nullptr;
harness::ServiceProcess* Saga::orders_ = nullptr;
harness::ServiceProcess* Saga::notifications_ = nullptr;
}  // namespace

TEST_F(Saga, TwoHundredOrdersOfMixedOutcomeAllReachTheRightTerminalState) {
  auto user = client_.post_json(users_->url("/users"), json::object{{"name", "Saga Tester"},
                                                                    {"email", "saga@example.com"},
                                                                    {"password", "password-123"}});
  ASSERT_EQ(user.status, 201) << user.body;
  std::string user_id(user.json().at("id").as_string());

  // Every fourth order is over the payment limit and must end CANCELLED.
  std::map<std::string, std::string> expected;
  for (int i = 0; i < 200; ++i) {
    long long price = i % 4 == 0 ? 150'000 : 1'500 + i;
    auto r = client_.post_json(
        orders_->url("/orders"),
        json::object{{"user_id", user_id},
                     {"currency", "EUR"},
                     {"items", json::array{json::object{{"sku", "SKU-" + std::to_string(i)},
                                                        {"quantity", 1},
                                                        {"unit_price_cents", price}}}}});
    ASSERT_EQ(r.status, 201) << r.body;
    expected[std::string(r.json().at("id").as_string())] = i % 4 == 0 ? "CANCELLED" : "CONFIRMED";
  }

  std::map<std::string, std::string> final_state;
  ASSERT_TRUE(harness::wait_until(
      [&] {
        for (const auto& [id, want] : expected) {
          if (final_state.contains(id)) continue;
          auto r = client_.get(orders_->url("/orders/" + id));
          if (r.status != 200) return false;
          std::string status(r.json().at("status").as_string());
          if (status == "PENDING_PAYMENT") return false;
          final_state[id] = status;
        }
        return true;
      },
      180s))
      << final_state.size() << " of 200 orders reached a terminal state";
  for (const auto& [id, want] : expected) EXPECT_EQ(final_state[id], want) << id;

  // One payment per order, with the outcome that decided it.
  for (const auto& [id, want] : expected) {
    auto p = client_.get(payments_->url("/payments/" + id));
    ASSERT_EQ(p.status, 200) << id;
    EXPECT_EQ(p.json().at("status").as_string(), want == "CONFIRMED" ? "SUCCEEDED" : "FAILED");
  }

  // An e-mail when each order was received and one when it was confirmed or cancelled.
  EXPECT_TRUE(harness::wait_until([&] { return smtp_->message_count() >= 400; }, 120s))
      << smtp_->message_count() << " e-mails";
  EXPECT_EQ(smtp_->message_count(), 400u);
}
