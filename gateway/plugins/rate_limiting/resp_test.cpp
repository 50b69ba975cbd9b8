#include "gateway/plugins/rate_limiting/resp.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace bazaar::gateway::rate_limiting {
namespace {

using Type = RespValue::Type;

TEST(RespEncode, CommandIsAnArrayOfBulkStrings) {
  EXPECT_EQ(encode_command({"INCRBY", "k", "1"}), "*3\r\n$6\r\nINCRBY\r\n$1\r\nk\r\n$1\r\n1\r\n");
}

TEST(RespEncode, ArgumentsAreBinarySafe) {
  using namespace std::string_literals;
  const std::string odd = "a\r\n\0b"s;
  EXPECT_EQ(encode_command({"SET", odd, ""}), "*3\r\n$3\r\nSET\r\n$5\r\na\r\n\0b\r\n$0\r\n\r\n"s);
}

TEST(RespEncode, AppendBuildsAPipeline) {
  std::string out;
  append_command(out, {"PING"});
  append_command(out, {"PING"});
  EXPECT_EQ(out, "*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n");
}

RespValue decode_one(std::string_view bytes) {
  RespDecoder decoder;
  decoder.feed(bytes);
  auto value = decoder.next();
  EXPECT_TRUE(value.has_value()) << bytes;
  EXPECT_EQ(decoder.buffered(), 0u);
  return value.value_or(RespValue{});
}

TEST(RespDecode, EveryType) {
  const RespValue ok = decode_one("+OK\r\n");
  EXPECT_EQ(ok.type, Type::simple_string);
  EXPECT_EQ(ok.text, "OK");

  const RespValue error = decode_one("-WRONGPASS invalid username-password pair\r\n");
  EXPECT_TRUE(error.is_error());
  EXPECT_EQ(error.text, "WRONGPASS invalid username-password pair");

  const RespValue negative = decode_one(":-42\r\n");
  EXPECT_EQ(negative.type, Type::integer);
  EXPECT_EQ(negative.integer, -42);

  const RespValue big = decode_one(":9223372036854775807\r\n");
  EXPECT_EQ(big.integer, INT64_MAX);

  const RespValue bulk = decode_one("$6\r\nab\r\ncd\r\n");
  EXPECT_EQ(bulk.type, Type::bulk_string);
  EXPECT_EQ(bulk.text, "ab\r\ncd");

  EXPECT_EQ(decode_one("$0\r\n\r\n").type, Type::bulk_string);
  EXPECT_EQ(decode_one("$-1\r\n").type, Type::null);
  EXPECT_EQ(decode_one("*-1\r\n").type, Type::null);
  EXPECT_EQ(decode_one("*0\r\n").type, Type::array);
}

TEST(RespDecode, NestedArrays) {
  const RespValue value = decode_one("*3\r\n:1\r\n*2\r\n+a\r\n$-1\r\n-ERR x\r\n");
  ASSERT_EQ(value.type, Type::array);
  ASSERT_EQ(value.elements.size(), 3u);
  EXPECT_EQ(value.elements[0].integer, 1);
  ASSERT_EQ(value.elements[1].elements.size(), 2u);
  EXPECT_EQ(value.elements[1].elements[0].text, "a");
  EXPECT_EQ(value.elements[1].elements[1].type, Type::null);
  EXPECT_TRUE(value.elements[2].is_error());
}

TEST(RespDecode, ByteByByteGivesTheSameRepliesInOrder) {
  const std::string wire = "*2\r\n:10\r\n:600\r\n$40\r\n" + std::string(40, 'f') + "\r\n+OK\r\n";
  RespDecoder decoder;
  std::vector<RespValue> values;
  for (char c : wire) {
    decoder.feed(std::string_view(&c, 1));
    while (auto value = decoder.next()) values.push_back(std::move(*value));
  }
  ASSERT_EQ(values.size(), 3u);
  EXPECT_EQ(values[0].elements[1].integer, 600);
  EXPECT_EQ(values[1].text, std::string(40, 'f'));
  EXPECT_EQ(values[2].text, "OK");
  EXPECT_EQ(decoder.buffered(), 0u);
}

TEST(RespDecode, SeveralRepliesInOneRead) {
  RespDecoder decoder;
  decoder.feed(":1\r\n:2\r\n:3");
  EXPECT_EQ(decoder.next()->integer, 1);
  EXPECT_EQ(decoder.next()->integer, 2);
  EXPECT_FALSE(decoder.next().has_value());
  decoder.feed("\r\n");
  EXPECT_EQ(decoder.next()->integer, 3);
  EXPECT_FALSE(decoder.next().has_value());
}

TEST(RespDecode, IncompleteArrayWaitsForItsLastElement) {
  RespDecoder decoder;
  decoder.feed("*2\r\n:1\r\n");
  EXPECT_FALSE(decoder.next().has_value());
  EXPECT_EQ(decoder.buffered(), 8u);  // nothing consumed
  decoder.feed(":2\r\n");
  EXPECT_EQ(decoder.next()->elements.size(), 2u);
}

TEST(RespDecode, MalformedInputThrows) {
  for (std::string_view bad : {"?x\r\n", ":12a\r\n", ":\r\n", "$3\r\nabcd\r\n", "$-2\r\n",
                               "*-5\r\n", "$99999999999\r\n", "\r\n", ":+1\r\n"}) {
    RespDecoder decoder;
    decoder.feed(bad);
    EXPECT_THROW(decoder.next(), RespProtocolError) << bad;
  }
}

TEST(RespDecode, RefusesDeepNestingAndEndlessLines) {
  RespDecoder deep;
  std::string nested;
  for (int i = 0; i <= RespDecoder::kMaxDepth + 1; ++i) nested += "*1\r\n";
  deep.feed(nested + ":1\r\n");
  EXPECT_THROW(deep.next(), RespProtocolError);

  RespDecoder endless;
  endless.feed("+" + std::string(100 * 1024, 'x'));
  EXPECT_THROW(endless.next(), RespProtocolError);
}

TEST(RespDecode, ResetForgetsPartialInput) {
  RespDecoder decoder;
  decoder.feed("$5\r\nab");
  EXPECT_FALSE(decoder.next().has_value());
  decoder.reset();
  decoder.feed(":7\r\n");
  EXPECT_EQ(decoder.next()->integer, 7);
}

}  // namespace
}  // namespace bazaar::gateway::rate_limiting
