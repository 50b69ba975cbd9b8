#include "services/payment/domain/payment.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace bazaar::payment;

namespace {
constexpr const char* kOrder = "0b9f5c1e-6c3a-4f7e-9d2b-1a2b3c4d5e6f";
constexpr const char* kUser = "5d6c2a34-0f1e-4b8a-9c7d-112233445566";

std::string order_json(const std::string& fields) {
  return std::string(R"({"order_id":")") + kOrder + R"(","user_id":")" + kUser + R"(")" + fields +
         "}";
}

// The reason an event is refused; empty when it is accepted.
std::string refusal(const std::string& data) {
  auto r = parse_order_created(data);
  if (auto* why = std::get_if<std::string>(&r)) return *why;
  return {};
}
}  // namespace

TEST(OrderCreated, TheGuidesEventIsAccepted) {
  auto r = parse_order_created(order_json(R"(,"total_cents":1200,"currency":"EUR")"));
  ASSERT_TRUE(std::holds_alternative<OrderCreated>(r)) << std::get<std::string>(r);
  const auto& o = std::get<OrderCreated>(r);
  EXPECT_EQ(o.order_id, kOrder);
  EXPECT_EQ(o.user_id, kUser);
  EXPECT_EQ(o.total_cents, 1200);
  EXPECT_EQ(o.currency, "EUR");
}

TEST(OrderCreated, IdsAreKeptInLowerCaseAndExtraFieldsAreIgnored) {
  auto r = parse_order_created(
      R"({"order_id":"0B9F5C1E-6C3A-4F7E-9D2B-1A2B3C4D5E6F","user_id":"5d6c2a34-0f1e-4b8a-9c7d-112233445566",)"
      R"("total_cents":1,"currency":"USD","items":[{"sku":"x"}],"status":"PENDING_PAYMENT"})");
  ASSERT_TRUE(std::holds_alternative<OrderCreated>(r)) << std::get<std::string>(r);
  EXPECT_EQ(std::get<OrderCreated>(r).order_id, kOrder);
}

TEST(OrderCreated, WhatIsNotAnObjectIsRefused) {
  EXPECT_NE(refusal("{not json").find("not JSON"), std::string::npos);
  EXPECT_EQ(refusal("[1,2]"), "the data is not a JSON object");
  EXPECT_EQ(refusal("\"order\""), "the data is not a JSON object");
}

TEST(OrderCreated, EachMissingFieldIsNamed) {
  EXPECT_EQ(
      refusal(
          R"({"user_id":"5d6c2a34-0f1e-4b8a-9c7d-112233445566","total_cents":1,"currency":"EUR"})"),
      "order_id is missing");
  EXPECT_EQ(
      refusal(std::string(R"({"order_id":")") + kOrder + R"(","total_cents":1,"currency":"EUR"})"),
      "user_id is missing");
  EXPECT_EQ(refusal(order_json(R"(,"currency":"EUR")")), "total_cents is missing");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":1)")), "currency is missing");
}

TEST(OrderCreated, FieldsOfTheWrongTypeAreRefused) {
  EXPECT_EQ(
      refusal(
          R"({"order_id":42,"user_id":"5d6c2a34-0f1e-4b8a-9c7d-112233445566","total_cents":1,"currency":"EUR"})"),
      "order_id must be a string");
  EXPECT_EQ(refusal(std::string(R"({"order_id":")") + kOrder +
                    R"(","user_id":"user-7","total_cents":1,"currency":"EUR"})"),
            "user_id must be a UUID");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":"1200","currency":"EUR")")),
            "total_cents must be an integer");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":12.5,"currency":"EUR")")),
            "total_cents must be an integer");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":1200.0,"currency":"EUR")")),
            "total_cents must be an integer");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":18446744073709551615,"currency":"EUR")")),
            "total_cents must be an integer");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":null,"currency":"EUR")")),
            "total_cents must be an integer");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":1,"currency":978)")), "currency must be a string");
}

TEST(OrderCreated, TotalMustBePositive) {
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":0,"currency":"EUR")")),
            "total_cents must be greater than 0");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":-100,"currency":"EUR")")),
            "total_cents must be greater than 0");
  EXPECT_EQ(refusal(order_json(R"(,"total_cents":9223372036854775807,"currency":"EUR")")), "");
}

TEST(OrderCreated, CurrencyMustBeThreeUpperCaseLetters) {
  for (const char* bad : {"eur", "EURO", "EU", "", "E1R", "\u20ac" /* the euro sign: 3 bytes */}) {
    EXPECT_EQ(refusal(order_json(std::string(R"(,"total_cents":1,"currency":")") + bad + "\"")),
              "currency must be an ISO 4217 code of three upper-case letters")
        << bad;
  }
  EXPECT_TRUE(is_currency_code("XTS"));
  EXPECT_FALSE(is_currency_code("xts"));
}

TEST(PaymentStatus, RoundTrips) {
  EXPECT_EQ(to_string(Status::succeeded), "SUCCEEDED");
  EXPECT_EQ(to_string(Status::failed), "FAILED");
  EXPECT_EQ(parse_status("SUCCEEDED"), Status::succeeded);
  EXPECT_EQ(parse_status("FAILED"), Status::failed);
  EXPECT_EQ(parse_status("failed"), std::nullopt);
}

TEST(ResultEvents, CarryTheGuidesFieldsAndTheOutcome) {
  OrderCreated o{kOrder, kUser, 1200, "EUR"};
  auto ok = boost::json::parse(payment_succeeded_data(o, "11111111-2222-4333-8444-555555555555"));
  EXPECT_EQ(
      ok,
      boost::json::parse(
          std::string(R"({"order_id":")") + kOrder + R"(","user_id":")" + kUser +
          R"(","total_cents":1200,"currency":"EUR","payment_id":"11111111-2222-4333-8444-555555555555"})"));
  auto failed = boost::json::parse(payment_failed_data(o, "amount exceeds limit"));
  EXPECT_EQ(failed,
            boost::json::parse(
                std::string(R"({"order_id":")") + kOrder + R"(","user_id":")" + kUser +
                R"(","total_cents":1200,"currency":"EUR","reason":"amount exceeds limit"})"));
}
