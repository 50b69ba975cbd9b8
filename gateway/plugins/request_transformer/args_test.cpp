#include "gateway/plugins/request_transformer/args.hpp"

#include <gtest/gtest.h>

namespace bazaar::gateway::request_transformer {
namespace {

TEST(ArgsTest, DecodesValuesFlagsAndRepeats) {
  const Args args = decode_args("a=1&b=x%20y+z&a=2&flag&empty=&=skipped&&c=%zz");
  ASSERT_EQ(args.size(), 5u);
  EXPECT_EQ(args[0].name, "a");
  EXPECT_EQ(args[0].values, (std::vector<ArgValue>{"1", "2"}));
  EXPECT_EQ(args[1].values, (std::vector<ArgValue>{"x y z"}));
  EXPECT_EQ(args[2].name, "flag");
  EXPECT_EQ(args[2].values, (std::vector<ArgValue>{std::nullopt}));
  EXPECT_EQ(args[3].values, (std::vector<ArgValue>{""}));
  EXPECT_EQ(args[4].values, (std::vector<ArgValue>{"%zz"}));
}

TEST(ArgsTest, EncodesLikeOpenResty) {
  const Args args = {
      {"b", {"hello world"}}, {"a", {"1", std::nullopt, ""}}, {"z[1]", {"$&+,/:;=?@"}}};
  EXPECT_EQ(encode_args(args, ArgOrder::as_is),
            "b=hello%20world&a=1&a&a=&z%5B1%5D=%24%26%2B%2C%2F%3A%3B%3D%3F%40");
  EXPECT_EQ(encode_args(args, ArgOrder::sorted),
            "a=1&a&a=&b=hello%20world&z%5B1%5D=%24%26%2B%2C%2F%3A%3B%3D%3F%40");
}

TEST(ArgsTest, KongsSetQueryExample) {
  // kong.service.request.set_query docs: bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz
  const Args args = {{"foo", {"hello world"}},
                     {"bar", {"baz", "bla", std::nullopt}},
                     {"zzz", {std::nullopt}},
                     {"blo", {""}}};
  EXPECT_EQ(encode_args(args, ArgOrder::sorted), "bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz");
}

TEST(ArgsTest, RoundTripsThroughDecodeAndEncode) {
  for (const char* raw :
       {"a=1&b=2", "q=caf%C3%A9&x=%2F%3F", "flag&k=", "a=1&a=2&a=3", "sp=a%20b", "t=~-._"}) {
    EXPECT_EQ(encode_args(decode_args(raw), ArgOrder::as_is), raw) << raw;
  }
  EXPECT_EQ(encode_args(decode_args("sp=a+b"), ArgOrder::as_is), "sp=a%20b");
  EXPECT_EQ(unescape_component(escape_component("ü &=/é\x01")), "ü &=/é\x01");
}

TEST(ArgsTest, FindAndErase) {
  Args args = decode_args("a=1&b=2");
  EXPECT_NE(find_arg(args, "b"), nullptr);
  EXPECT_EQ(find_arg(args, "B"), nullptr);  // names are case-sensitive
  erase_arg(args, "a");
  EXPECT_EQ(encode_args(args, ArgOrder::as_is), "b=2");
}

}  // namespace
}  // namespace bazaar::gateway::request_transformer
