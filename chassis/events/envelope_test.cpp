#include "chassis/events/envelope.hpp"

#include <gtest/gtest.h>

#include "chassis/core/ids.hpp"

using namespace bazaar::events;

namespace {
std::string_view header(const Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return {};
}
}  // namespace

TEST(Envelope, HeadersCarryTheCloudEventsAttributesAndTheTrace) {
  auto e = make_event("order.created", "order-1", "/services/order",
                      R"({"order_id":"order-1","total_cents":1200,"currency":"EUR"})",
                      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
  auto h = to_headers(e);
  EXPECT_EQ(header(h, "ce_specversion"), "1.0");
  EXPECT_TRUE(bazaar::ids::is_uuid(header(h, "ce_id")));
  EXPECT_EQ(header(h, "ce_type"), "bazaar.order.created");
  EXPECT_EQ(header(h, "ce_source"), "/services/order");
  EXPECT_EQ(header(h, "ce_time").size(), 24u);
  EXPECT_EQ(header(h, "content-type"), "application/json");
  EXPECT_EQ(header(h, "traceparent"), e.traceparent);
  EXPECT_NE(make_event("t", "k", "s", "{}").id, make_event("t", "k", "s", "{}").id);
}

TEST(Envelope, RoundTripsThroughAMessage) {
  auto e = make_event("payment.failed", "order-9", "/services/payment",
                      R"({"order_id":"order-9","reason":"card declined"})");
  auto back = from_message(e.topic, e.key, e.data, to_headers(e));
  ASSERT_TRUE(std::holds_alternative<Event>(back)) << std::get<std::string>(back);
  const auto& got = std::get<Event>(back);
  EXPECT_EQ(got.id, e.id);
  EXPECT_EQ(got.type, e.type);
  EXPECT_EQ(got.key, "order-9");
  EXPECT_EQ(got.data, e.data);
  EXPECT_TRUE(got.traceparent.empty());
}

TEST(Envelope, SaysWhyAMessageCanNeverBeHandled) {
  auto e = make_event("order.created", "order-1", "/services/order", "{}");
  auto h = to_headers(e);
  auto why = [&](std::string key, std::string value, Headers headers) {
    auto r = from_message("order.created", std::move(key), std::move(value), headers);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string();
  };
  EXPECT_NE(why("order-1", "{not json", h).find("not JSON"), std::string::npos);
  EXPECT_NE(why("order-1", "[1,2]", h).find("not a JSON object"), std::string::npos);
  EXPECT_NE(why("", "{}", h).find("no key"), std::string::npos);
  EXPECT_NE(why("order-1", "{}", {}).find("ce_specversion"), std::string::npos);
  Headers no_id;
  for (const auto& kv : h)
    if (kv.first != "ce_id") no_id.push_back(kv);
  EXPECT_NE(why("order-1", "{}", no_id).find("ce_id"), std::string::npos);
}
