#include "services/payment/domain/provider.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

using namespace bazaar::payment;

TEST(SimulatedRules, DefaultsApproveUpToTheLimitAndDeclineAbove) {
  SimulatedRules rules;
  EXPECT_EQ(rules.decline_above_cents, 100'000);
  EXPECT_EQ(decide(rules, 1, "EUR"), ChargeOutcome::approved());
  EXPECT_EQ(decide(rules, 1'200, "EUR"), ChargeOutcome::approved());
  EXPECT_EQ(decide(rules, 100'000, "EUR"), ChargeOutcome::approved());  // "above" only
  EXPECT_EQ(decide(rules, 100'001, "EUR"), ChargeOutcome::declined("amount exceeds limit"));
  EXPECT_EQ(decide(rules, 9'223'372'036'854'775'807LL, "USD"),
            ChargeOutcome::declined("amount exceeds limit"));
}

TEST(SimulatedRules, ListedCurrenciesAreDeclinedWhateverTheAmount) {
  SimulatedRules rules;
  rules.decline_currencies = {"XTS", "JPY"};
  EXPECT_EQ(decide(rules, 100, "XTS"), ChargeOutcome::declined("currency not accepted"));
  EXPECT_EQ(decide(rules, 100, "JPY"), ChargeOutcome::declined("currency not accepted"));
  // Both rules broken: the currency is named, it is the more fundamental refusal.
  EXPECT_EQ(decide(rules, 500'000, "XTS"), ChargeOutcome::declined("currency not accepted"));
  EXPECT_EQ(decide(rules, 100, "EUR"), ChargeOutcome::approved());
}

TEST(SimulatedRules, TheLimitIsConfigurable) {
  SimulatedRules rules;
  rules.decline_above_cents = 0;
  EXPECT_EQ(decide(rules, 1, "EUR"), ChargeOutcome::declined("amount exceeds limit"));
  rules.decline_above_cents = 5'000;
  EXPECT_EQ(decide(rules, 5'000, "EUR"), ChargeOutcome::approved());
  EXPECT_EQ(decide(rules, 5'001, "EUR"), ChargeOutcome::declined("amount exceeds limit"));
}

TEST(SimulatedRules, FailureRateZeroNeverFailsAndOneAlwaysFails) {
  SimulatedRules rules;
  Dice dice(7);
  for (int i = 0; i < 10'000; ++i) EXPECT_FALSE(fails(rules, dice.next()));
  rules.failure_rate = 1.0;
  for (int i = 0; i < 10'000; ++i) EXPECT_TRUE(fails(rules, dice.next()));
  EXPECT_TRUE(fails(rules, 0.0));
  EXPECT_TRUE(fails(rules, 0.9999999999999999));
}

TEST(SimulatedRules, AFailureRateFailsThatFractionOfCalls) {
  SimulatedRules rules;
  rules.failure_rate = 0.25;
  Dice dice(42);  // seeded: the same draws on every run
  int failed = 0;
  constexpr int kCalls = 20'000;
  for (int i = 0; i < kCalls; ++i) failed += fails(rules, dice.next()) ? 1 : 0;
  // 0.25 ± 0.02 is more than 6 standard deviations wide for 20,000 draws.
  EXPECT_GT(failed, kCalls * 23 / 100);
  EXPECT_LT(failed, kCalls * 27 / 100);
}

TEST(Dice, DrawsAreInTheUnitIntervalAndRepeatForASeed) {
  Dice a(123), b(123), c(124);
  bool differs = false;
  for (int i = 0; i < 1'000; ++i) {
    double x = a.next();
    EXPECT_GE(x, 0.0);
    EXPECT_LT(x, 1.0);
    EXPECT_EQ(x, b.next());
    differs = differs || x != c.next();
  }
  EXPECT_TRUE(differs);
}

TEST(SimulatedRules, CurrencyListsAreParsedTrimmedAndUpperCased) {
  EXPECT_TRUE(parse_currency_list("").empty());
  EXPECT_TRUE(parse_currency_list(" , ").empty());
  EXPECT_EQ(parse_currency_list("XTS"), std::vector<std::string>{"XTS"});
  EXPECT_EQ(parse_currency_list("XTS, usd ,JPY"), (std::vector<std::string>{"XTS", "USD", "JPY"}));
  EXPECT_THROW(parse_currency_list("XTS,EURO"), std::invalid_argument);
  EXPECT_THROW(parse_currency_list("X1S"), std::invalid_argument);
}

TEST(SimulatedRules, RatesAreNumbersFromZeroToOne) {
  EXPECT_EQ(parse_rate("0"), 0.0);
  EXPECT_EQ(parse_rate("1"), 1.0);
  EXPECT_EQ(parse_rate("0.05"), 0.05);
  for (const char* bad : {"", "-0.1", "1.5", "abc", "0.5x", "nan", "inf", "5%"})
    EXPECT_THROW(parse_rate(bad), std::invalid_argument) << bad;
}

TEST(ChargeOutcome, KindsHaveNames) {
  EXPECT_EQ(to_string(ChargeOutcome::Kind::approved), "approved");
  EXPECT_EQ(to_string(ChargeOutcome::Kind::declined), "declined");
  EXPECT_EQ(to_string(ChargeOutcome::Kind::unavailable), "unavailable");
}
