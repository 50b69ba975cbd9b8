#include "services/notification/domain/order_event.hpp"

#include <gtest/gtest.h>

using namespace bazaar::notification;

namespace {
constexpr const char* kOrder = "6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b";
constexpr const char* kUser = "0b7e1d2c-9a8f-4e6d-b5c4-a3b2c1d0e9f8";

std::string data(const std::string& extra = "") {
  return std::string(R"({"order_id":")") + kOrder + R"(","user_id":")" + kUser +
         R"(","total_cents":1999,"currency":"EUR")" + extra + "}";
}

std::string error_of(std::string_view topic, std::string_view d) {
  auto r = parse_order_event(topic, d);
  auto* e = std::get_if<std::string>(&r);
  return e != nullptr ? *e : "(parsed)";
}
}  // namespace

TEST(OrderEvent, TopicsMapToKinds) {
  EXPECT_EQ(kind_of_topic("order.created"), Kind::created);
  EXPECT_EQ(kind_of_topic("order.confirmed"), Kind::confirmed);
  EXPECT_EQ(kind_of_topic("order.cancelled"), Kind::cancelled);
  EXPECT_EQ(kind_of_topic("payment.succeeded"), std::nullopt);
  EXPECT_EQ(kind_of_topic("order.created.dlq"), std::nullopt);
  EXPECT_EQ(parse_kind(to_string(Kind::cancelled)), Kind::cancelled);
}

TEST(OrderEvent, ACreatedEventIsRead) {
  auto r = parse_order_event("order.created", data());
  ASSERT_TRUE(std::holds_alternative<OrderEvent>(r)) << std::get<std::string>(r);
  const auto& e = std::get<OrderEvent>(r);
  EXPECT_EQ(e.kind, Kind::created);
  EXPECT_EQ(e.order_id, kOrder);
  EXPECT_EQ(e.user_id, kUser);
  EXPECT_EQ(e.total_cents, 1999);
  EXPECT_EQ(e.currency, "EUR");
  EXPECT_EQ(e.reason, "");
}

TEST(OrderEvent, ACancelledEventCarriesItsReasonWhichMayBeAbsent) {
  auto r = parse_order_event("order.cancelled", data(R"(,"reason":"card declined")"));
  ASSERT_TRUE(std::holds_alternative<OrderEvent>(r));
  EXPECT_EQ(std::get<OrderEvent>(r).reason, "card declined");
  auto without = parse_order_event("order.cancelled", data());
  ASSERT_TRUE(std::holds_alternative<OrderEvent>(without));
  EXPECT_EQ(std::get<OrderEvent>(without).reason, "");
  EXPECT_EQ(error_of("order.cancelled", data(R"(,"reason":42)")), "reason is not a string");
}

TEST(OrderEvent, UnknownFieldsAreIgnored) {
  EXPECT_TRUE(std::holds_alternative<OrderEvent>(
      parse_order_event("order.confirmed", data(R"(,"payment_id":"p-1","extra":[1,2])"))));
}

TEST(OrderEvent, MalformedDataSaysWhatIsWrong) {
  EXPECT_EQ(error_of("order.created", "{not json").substr(0, 20), "the data is not JSON");
  EXPECT_EQ(error_of("order.created", "[]"), "the data is not a JSON object");
  EXPECT_EQ(error_of("order.created", R"({"user_id":"x"})"), "order_id is missing or not a string");
  EXPECT_EQ(error_of("order.created", R"({"order_id":"nope"})"), "order_id is not a UUID");
  EXPECT_EQ(error_of("order.created", std::string(R"({"order_id":")") + kOrder + R"("})"),
            "user_id is missing or not a string");
  auto base = std::string(R"({"order_id":")") + kOrder + R"(","user_id":")" + kUser + "\"";
  EXPECT_EQ(error_of("order.created", base + "}"), "total_cents is missing");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":"10"})"),
            "total_cents is not an integer");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":10.5})"),
            "total_cents is not an integer");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":-1})"), "total_cents is negative");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":18446744073709551615})"),
            "total_cents is too large");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":1})"),
            "currency is missing or not a string");
  EXPECT_EQ(error_of("order.created", base + R"(,"total_cents":1,"currency":"eur"})"),
            "currency is not an ISO 4217 code");
  EXPECT_EQ(error_of("payment.failed", data()), "not an order event topic: payment.failed");
}
