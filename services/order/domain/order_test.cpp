#include "services/order/domain/order.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <limits>

using namespace bazaar::order;
namespace json = boost::json;

namespace {
constexpr const char* kUser = "0b9f5c1e-6c3a-4f7e-9d2b-1a2b3c4d5e6f";

json::object valid_body() {
  return json::parse(R"({"user_id": "0b9f5c1e-6c3a-4f7e-9d2b-1a2b3c4d5e6f",
                         "items": [{"sku": "BOOK-1", "quantity": 2, "unit_price_cents": 1250},
                                   {"sku": "PEN", "quantity": 3, "unit_price_cents": 99}],
                         "currency": "EUR"})")
      .as_object();
}

FieldErrors errors_of(const json::object& body) {
  auto v = validate_new_order(body);
  if (auto* e = std::get_if<FieldErrors>(&v)) return *e;
  return {};
}

std::vector<std::string> fields_of(const json::object& body) {
  std::vector<std::string> out;
  for (const auto& e : errors_of(body)) out.push_back(e.field);
  return out;
}

json::object with(std::string_view key, json::value v) {
  auto b = valid_body();
  b[key] = std::move(v);
  return b;
}

json::object with_item(std::string_view key, json::value v) {
  auto b = valid_body();
  b["items"].as_array()[0].as_object()[key] = std::move(v);
  return b;
}

using Fields = std::vector<std::string>;
}  // namespace

TEST(ValidateNewOrder, AValidOrderGetsItsTotalComputed) {
  auto v = validate_new_order(valid_body());
  ASSERT_TRUE(std::holds_alternative<NewOrder>(v));
  const auto& o = std::get<NewOrder>(v);
  EXPECT_EQ(o.user_id, kUser);
  EXPECT_EQ(o.currency, "EUR");
  ASSERT_EQ(o.items.size(), 2u);
  EXPECT_EQ(o.items[0].sku, "BOOK-1");
  EXPECT_EQ(o.items[0].quantity, 2);
  EXPECT_EQ(o.items[0].unit_price_cents, 1250);
  EXPECT_EQ(o.total_cents, 2 * 1250 + 3 * 99);
}

TEST(ValidateNewOrder, TheUserIdIsStoredInLowerCase) {
  auto v = validate_new_order(with("user_id", "0B9F5C1E-6C3A-4F7E-9D2B-1A2B3C4D5E6F"));
  ASSERT_TRUE(std::holds_alternative<NewOrder>(v));
  EXPECT_EQ(std::get<NewOrder>(v).user_id, kUser);
}

TEST(ValidateNewOrder, MissingFieldsAreEachNamed) {
  EXPECT_EQ(fields_of({}), (Fields{"user_id", "items", "currency"}));
  for (const auto& e : errors_of({})) EXPECT_EQ(e.reason, "is required");
}

TEST(ValidateNewOrder, UnknownFieldsAreRejectedAtEveryLevel) {
  auto b = with("coupon", "FREE");
  b["items"].as_array()[1].as_object()["colour"] = "red";
  EXPECT_EQ(fields_of(b), (Fields{"coupon", "items[1].colour"}));
}

TEST(ValidateNewOrder, TheUserIdMustBeAUuidString) {
  EXPECT_EQ(fields_of(with("user_id", "42")), Fields{"user_id"});
  EXPECT_EQ(fields_of(with("user_id", 42)), Fields{"user_id"});
  EXPECT_EQ(errors_of(with("user_id", "nope"))[0].reason, "must be a UUID");
}

TEST(ValidateNewOrder, ItemsMustBeAnArrayOfOneToAHundred) {
  EXPECT_EQ(fields_of(with("items", json::array{})), Fields{"items"});
  EXPECT_EQ(fields_of(with("items", "BOOK-1")), Fields{"items"});
  json::array many;
  for (int i = 0; i < 101; ++i)
    many.push_back(json::object{{"sku", "S"}, {"quantity", 1}, {"unit_price_cents", 1}});
  EXPECT_EQ(fields_of(with("items", many)), Fields{"items"});
  many.pop_back();
  EXPECT_TRUE(fields_of(with("items", many)).empty());
  EXPECT_EQ(fields_of(with("items", json::array{1})), Fields{"items[0]"});
}

TEST(ValidateNewOrder, SkuIsOneToSixtyFourCharacters) {
  EXPECT_EQ(fields_of(with_item("sku", "")), Fields{"items[0].sku"});
  EXPECT_EQ(fields_of(with_item("sku", json::string(std::string(65, 'x')))),
            Fields{"items[0].sku"});
  EXPECT_TRUE(fields_of(with_item("sku", json::string(std::string(64, 'x')))).empty());
  // Characters, not bytes: 64 two-byte letters are fine.
  std::string umlauts;
  for (int i = 0; i < 64; ++i) umlauts += "\xc3\xa4";
  EXPECT_TRUE(fields_of(with_item("sku", json::string(umlauts))).empty());
  EXPECT_EQ(fields_of(with_item("sku", "a\nb")), Fields{"items[0].sku"});
  EXPECT_EQ(fields_of(with_item("sku", 7)), Fields{"items[0].sku"});
}

TEST(ValidateNewOrder, QuantityIsAnIntegerFromOneToTenThousand) {
  for (auto bad :
       {json::value(0), json::value(-1), json::value(10'001), json::value(2.0), json::value("2"),
        json::value(nullptr), json::value(std::numeric_limits<std::uint64_t>::max())})
    EXPECT_EQ(fields_of(with_item("quantity", bad)), Fields{"items[0].quantity"}) << bad;
  EXPECT_TRUE(fields_of(with_item("quantity", 1)).empty());
  EXPECT_TRUE(fields_of(with_item("quantity", 10'000)).empty());
  EXPECT_EQ(errors_of(with_item("quantity", 0))[0].reason, "must be an integer from 1 to 10000");
}

TEST(ValidateNewOrder, UnitPriceIsAnIntegerFromZeroToOneBillion) {
  for (auto bad : {json::value(-1), json::value(1'000'000'001), json::value(9.99)})
    EXPECT_EQ(fields_of(with_item("unit_price_cents", bad)), Fields{"items[0].unit_price_cents"})
        << bad;
  EXPECT_TRUE(fields_of(with_item("unit_price_cents", 0)).empty());
  EXPECT_TRUE(fields_of(with_item("unit_price_cents", 1'000'000'000)).empty());
}

TEST(ValidateNewOrder, CurrencyIsThreeUpperCaseLetters) {
  for (auto bad : {"eur", "EURO", "EU", "E1R", ""})
    EXPECT_EQ(fields_of(with("currency", bad)), Fields{"currency"}) << bad;
  EXPECT_EQ(fields_of(with("currency", 978)), Fields{"currency"});
  EXPECT_TRUE(fields_of(with("currency", "JPY")).empty());
}

TEST(ValidateNewOrder, EveryBrokenRuleIsReportedAtOnce) {
  auto b = valid_body();
  b["user_id"] = "x";
  b["currency"] = "x";
  auto& item = b["items"].as_array()[1].as_object();
  item["sku"] = "";
  item["quantity"] = 0;
  item["unit_price_cents"] = -5;
  EXPECT_EQ(fields_of(b), (Fields{"user_id", "items[1].sku", "items[1].quantity",
                                  "items[1].unit_price_cents", "currency"}));
}

TEST(ValidateNewOrder, TheLargestOrderStillHasATotal) {
  json::array many;
  for (int i = 0; i < 100; ++i)
    many.push_back(
        json::object{{"sku", "S"}, {"quantity", 10'000}, {"unit_price_cents", 1'000'000'000}});
  auto v = validate_new_order(with("items", many));
  ASSERT_TRUE(std::holds_alternative<NewOrder>(v));
  EXPECT_EQ(std::get<NewOrder>(v).total_cents, 1'000'000'000'000'000LL);
}

TEST(OrderTotal, SumsQuantityTimesPrice) {
  EXPECT_EQ(order_total({}), 0);
  EXPECT_EQ(order_total({{"a", 3, 100}, {"b", 1, 5}}), 305);
}

TEST(OrderTotal, RefusesTotalsThatDoNotFitIn63Bits) {
  constexpr long long max = std::numeric_limits<long long>::max();
  EXPECT_EQ(order_total({{"a", 1, max}}), max);
  EXPECT_EQ(order_total({{"a", 1, max}, {"b", 1, 1}}), std::nullopt);
  EXPECT_EQ(order_total({{"a", 2, max / 2 + 1}}), std::nullopt);
  EXPECT_EQ(order_total({{"a", 4'000'000'000LL, 4'000'000'000LL}}), std::nullopt);
  EXPECT_EQ(order_total({{"a", -1, 5}}), std::nullopt);
}

TEST(IdempotencyKey, OneToTwoHundredVisibleAsciiCharacters) {
  EXPECT_EQ(check_idempotency_key("a"), "");
  EXPECT_EQ(check_idempotency_key("8e03978e-40d5-43e8-bc93-6894a57f9324"), "");
  EXPECT_EQ(check_idempotency_key(std::string(200, '~')), "");
  EXPECT_NE(check_idempotency_key(""), "");
  EXPECT_NE(check_idempotency_key(std::string(201, 'k')), "");
  EXPECT_NE(check_idempotency_key("with space"), "");
  EXPECT_NE(check_idempotency_key("tab\there"), "");
  EXPECT_NE(check_idempotency_key("\xc3\xa4"), "");
}

TEST(RequestFingerprint, EqualOrdersHaveEqualFingerprintsWhateverTheirSpelling) {
  auto a = std::get<NewOrder>(validate_new_order(valid_body()));
  auto respelled = json::parse(R"({"currency":"EUR","items":[
      {"unit_price_cents":1250,"quantity":2,"sku":"BOOK-1"},
      {"quantity":3,"sku":"PEN","unit_price_cents":99}],
      "user_id":"0B9F5C1E-6C3A-4F7E-9D2B-1A2B3C4D5E6F"})")
                       .as_object();
  auto b = std::get<NewOrder>(validate_new_order(respelled));
  EXPECT_EQ(request_fingerprint(a), request_fingerprint(b));
  EXPECT_EQ(request_fingerprint(a).size(), 64u);
}

TEST(RequestFingerprint, AnyDifferenceChangesIt) {
  auto base = std::get<NewOrder>(validate_new_order(valid_body()));
  auto fp = request_fingerprint(base);
  auto other = base;
  other.items[1].quantity = 4;
  EXPECT_NE(request_fingerprint(other), fp);
  other = base;
  other.currency = "USD";
  EXPECT_NE(request_fingerprint(other), fp);
  other = base;
  std::swap(other.items[0], other.items[1]);
  EXPECT_NE(request_fingerprint(other), fp);
  other = base;
  other.user_id[0] = '1';
  EXPECT_NE(request_fingerprint(other), fp);
  // No ambiguity from concatenation: "AB"+"C" is not "A"+"BC".
  NewOrder x{kUser, {{"AB", 1, 1}, {"C", 1, 1}}, "EUR", 2};
  NewOrder y{kUser, {{"A", 1, 1}, {"BC", 1, 1}}, "EUR", 2};
  EXPECT_NE(request_fingerprint(x), request_fingerprint(y));
}

TEST(OrderStatus, NamesRoundTrip) {
  for (auto s : {OrderStatus::pending_payment, OrderStatus::confirmed, OrderStatus::cancelled})
    EXPECT_EQ(parse_status(to_string(s)), s);
  EXPECT_EQ(to_string(kInitialStatus), "PENDING_PAYMENT");
  EXPECT_EQ(parse_status("pending_payment"), std::nullopt);
}
