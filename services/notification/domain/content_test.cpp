#include "services/notification/domain/content.hpp"

#include <gtest/gtest.h>

using namespace bazaar::notification;

namespace {
OrderEvent event(Kind kind, std::string reason = "") {
  return {kind,
          "6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
          "0b7e1d2c-9a8f-4e6d-b5c4-a3b2c1d0e9f8",
          4250,
          "EUR",
          std::move(reason)};
}
bool contains(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}
}  // namespace

TEST(Content, MoneyIsWrittenWithTheCurrencysMinorUnits) {
  EXPECT_EQ(format_money(1234, "EUR"), "12.34 EUR");
  EXPECT_EQ(format_money(5, "USD"), "0.05 USD");
  EXPECT_EQ(format_money(0, "GBP"), "0.00 GBP");
  EXPECT_EQ(format_money(100000, "EUR"), "1000.00 EUR");
  EXPECT_EQ(format_money(1500, "JPY"), "1500 JPY");
  EXPECT_EQ(format_money(1234, "KWD"), "1.234 KWD");
  EXPECT_EQ(format_money(-250, "EUR"), "-2.50 EUR");
}

TEST(Content, EachKindHasItsSubjectAndTheTotalInTheBody) {
  auto created = compose(event(Kind::created));
  EXPECT_EQ(created.subject, "Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b was received");
  EXPECT_TRUE(contains(created.body, "42.50 EUR")) << created.body;
  auto confirmed = compose(event(Kind::confirmed));
  EXPECT_EQ(confirmed.subject, "Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b is confirmed");
  EXPECT_TRUE(contains(confirmed.body, "42.50 EUR"));
  auto cancelled = compose(event(Kind::cancelled, "card declined"));
  EXPECT_EQ(cancelled.subject,
            "Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b was cancelled: card declined");
  EXPECT_TRUE(contains(cancelled.body, "Reason: card declined"));
  auto no_reason = compose(event(Kind::cancelled));
  EXPECT_EQ(no_reason.subject, "Your order 6f1c2a9e-3b4d-4e5f-8a9b-0c1d2e3f4a5b was cancelled");
}

TEST(Content, AReasonCannotBreakTheSubjectLineOrGrowWithoutBound) {
  auto c = compose(event(Kind::cancelled, "declined\r\nBcc: everyone@example.com\t\x01 x"));
  EXPECT_EQ(c.subject.find('\n'), std::string::npos);
  EXPECT_EQ(c.subject.find('\r'), std::string::npos);
  EXPECT_TRUE(contains(c.subject, "declined Bcc: everyone@example.com x")) << c.subject;
  auto long_one = compose(event(Kind::cancelled, std::string(1000, 'x')));
  EXPECT_LT(long_one.subject.size(), 300u);
}

TEST(Content, SingleLineCutsOnCharacterBoundaries) {
  EXPECT_EQ(single_line("  a \n\n b  ", 100), "a b");
  // "é" is two bytes: a cut in its middle moves before it.
  EXPECT_EQ(single_line("abcé", 4), "abc...");
  EXPECT_EQ(single_line("abcé", 5), "abcé");
}
