#include "gateway/plugins/rate_limiting/redis_count_script.hpp"

#include <gtest/gtest.h>

#include <array>

#include "gateway/plugins/rate_limiting/counter_key.hpp"

namespace bazaar::gateway::rate_limiting {
namespace {

using namespace std::chrono;

const Seconds kNow = sys_days{year{2024} / 5 / 17} + hours{12} + minutes{34} + seconds{56};
constexpr std::array<Period, 2> kMinuteAndHour = {Period::minute, Period::hour};

RespValue integer(std::int64_t value) {
  RespValue v;
  v.type = RespValue::Type::integer;
  v.integer = value;
  return v;
}

RespValue array(std::vector<RespValue> elements) {
  RespValue v;
  v.type = RespValue::Type::array;
  v.elements = std::move(elements);
  return v;
}

RespValue error(std::string text) {
  RespValue v;
  v.type = RespValue::Type::error;
  v.text = std::move(text);
  return v;
}

TEST(RedisCount, KongKeysAndExpiriesPerPeriodInQueryOrder) {
  const std::string subject = counter_subject({"route-1", ""}, "192.0.2.1");
  const RedisCount count = make_redis_count(CountQuery{subject, kMinuteAndHour, kNow, 1});
  ASSERT_EQ(count.keys.size(), 2u);
  EXPECT_EQ(
      count.keys[0],
      "ratelimit:route-1:00000000-0000-0000-0000-000000000000:192.0.2.1:1715949240000:minute");
  EXPECT_EQ(count.keys[1],
            "ratelimit:route-1:00000000-0000-0000-0000-000000000000:192.0.2.1:1715947200000:hour");
  EXPECT_EQ(count.ttl_seconds, (std::vector<std::int64_t>{60, 3600}));
  EXPECT_EQ(count.delta, 1);
}

TEST(RedisCount, EvalshaCarriesKeysThenDeltaThenExpiries) {
  const RedisCount count{{"k1", "k2"}, {60, 3600}, 1};
  std::string out;
  append_count_command(out, count, "abc123");
  EXPECT_EQ(out, encode_command({"EVALSHA", "abc123", "2", "k1", "k2", "1", "60", "3600"}));
}

TEST(RedisCount, WithoutAHashTheScriptTextIsSent) {
  const RedisCount count{{"k"}, {1}, -1};
  std::string out;
  append_count_command(out, count, "");
  EXPECT_EQ(out, encode_command({"EVAL", count_script(), "1", "k", "-1", "1"}));
}

TEST(RedisCount, ScriptSetsTheExpiryOnlyOnNewCounters) {
  // The behaviour is checked against a real Redis in tests/integration/gateway_redis_test;
  // here only that the script does what the header promises, in Kong's commands.
  const std::string_view script = count_script();
  EXPECT_NE(script.find("INCRBY"), std::string_view::npos);
  EXPECT_NE(script.find("'TTL', key) == -1"), std::string_view::npos);
  EXPECT_NE(script.find("EXPIRE"), std::string_view::npos);
}

TEST(RedisCount, RepliesBecomeCounts) {
  const CountResult ok = parse_count_reply(array({integer(3), integer(41)}), 2);
  EXPECT_FALSE(ok.error);
  EXPECT_EQ(ok.counts, (std::vector<std::int64_t>{3, 41}));
}

TEST(RedisCount, WrongRepliesBecomeErrors) {
  const CountResult redis_error = parse_count_reply(error("OOM command not allowed"), 1);
  ASSERT_TRUE(redis_error.error);
  EXPECT_EQ(*redis_error.error, "Redis error: OOM command not allowed");
  EXPECT_TRUE(redis_error.counts.empty());

  EXPECT_TRUE(parse_count_reply(array({integer(1)}), 2).error);
  EXPECT_TRUE(parse_count_reply(integer(1), 1).error);
  RespValue text;
  text.type = RespValue::Type::bulk_string;
  const CountResult mixed = parse_count_reply(array({integer(1), text}), 2);
  EXPECT_TRUE(mixed.error);
  EXPECT_TRUE(mixed.counts.empty());
}

TEST(RedisCount, NoscriptIsRecognised) {
  EXPECT_TRUE(is_noscript_error(error("NOSCRIPT No matching script. Please use EVAL.")));
  EXPECT_FALSE(is_noscript_error(error("ERR something")));
  EXPECT_FALSE(is_noscript_error(integer(1)));
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
