#include "services/order/domain/order_events.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

using namespace bazaar::order;
namespace json = boost::json;

namespace {
constexpr const char* kOrder = "8e03978e-40d5-43e8-bc93-6894a57f9324";
constexpr const char* kUser = "0b9f5c1e-6c3a-4f7e-9d2b-1a2b3c4d5e6f";
}  // namespace

TEST(OrderEventData, CarriesTheGuidesFields) {
  auto data = json::parse(order_event_data({kOrder, kUser, 2797, "EUR"}));
  EXPECT_EQ(data, json::parse(R"({"order_id":"8e03978e-40d5-43e8-bc93-6894a57f9324",
      "user_id":"0b9f5c1e-6c3a-4f7e-9d2b-1a2b3c4d5e6f","total_cents":2797,"currency":"EUR"})"));
}

TEST(OrderEventData, AReasonIsAddedWhenGiven) {
  auto data = json::parse(order_event_data({kOrder, kUser, 1, "EUR"}, "card declined"));
  EXPECT_EQ(data.at("reason").as_string(), "card declined");
  EXPECT_EQ(data.as_object().size(), 5u);
}

TEST(ParsePaymentEvent, ReadsTheOrderIdAndReason) {
  auto v = parse_payment_event(R"({"order_id":"8E03978E-40D5-43E8-BC93-6894A57F9324",
      "user_id":"u","total_cents":1,"currency":"EUR","reason":"insufficient funds"})");
  ASSERT_TRUE(std::holds_alternative<PaymentEvent>(v));
  EXPECT_EQ(std::get<PaymentEvent>(v).order_id, kOrder);
  EXPECT_EQ(std::get<PaymentEvent>(v).reason, "insufficient funds");
  auto ok = std::get<PaymentEvent>(
      parse_payment_event(R"({"order_id":")" + std::string(kOrder) + R"(","payment_id":"p"})"));
  EXPECT_EQ(ok.reason, std::nullopt);
}

TEST(ParsePaymentEvent, SaysWhyItCanNeverBeHandled) {
  auto why = [](std::string_view data) {
    auto v = parse_payment_event(data);
    return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
  };
  EXPECT_NE(why("{oops").find("not JSON"), std::string::npos);
  EXPECT_NE(why("[1]").find("not a JSON object"), std::string::npos);
  EXPECT_NE(why("{}").find("order_id is missing"), std::string::npos);
  EXPECT_NE(why(R"({"order_id":7})").find("order_id is missing"), std::string::npos);
  EXPECT_NE(why(R"({"order_id":"order-1"})").find("not a UUID"), std::string::npos);
}
