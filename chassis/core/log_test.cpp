#include "chassis/core/log.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>

namespace blog = bazaar::log;

namespace {
// Captures what one call writes through a pipe.
std::string capture(const std::function<void()>& f) {
  int fds[2];
  EXPECT_EQ(::pipe(fds), 0);
  blog::set_output_fd(fds[1]);
  f();
  blog::set_output_fd(1);
  ::close(fds[1]);
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fds[0], buf, sizeof buf)) > 0) out.append(buf, static_cast<std::size_t>(n));
  ::close(fds[0]);
  return out;
}
}  // namespace

TEST(Log, WritesOneJsonObjectPerLineWithTheBriefsKeys) {
  blog::init("user-service", blog::Level::info);
  blog::TraceIds ids{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  auto out = capture([&] {
    blog::info("request", {{"status", 200}, {"route", "/users/{id}"}, {"ok", true}}, &ids);
  });
  ASSERT_FALSE(out.empty());
  EXPECT_EQ(out.back(), '\n');
  EXPECT_EQ(out.find('\n'), out.size() - 1);
  auto v = boost::json::parse(out).as_object();
  EXPECT_EQ(v.at("level").as_string(), "info");
  EXPECT_EQ(v.at("service").as_string(), "user-service");
  EXPECT_EQ(v.at("msg").as_string(), "request");
  EXPECT_EQ(v.at("trace_id").as_string(), ids.trace_id);
  EXPECT_EQ(v.at("span_id").as_string(), ids.span_id);
  EXPECT_EQ(v.at("status").as_int64(), 200);
  EXPECT_TRUE(v.at("ok").as_bool());
  EXPECT_EQ(v.at("ts").as_string().size(), 24u);
}

TEST(Log, EscapesControlCharactersAndQuotes) {
  blog::init("t", blog::Level::info);
  auto out = capture([] { blog::warn("a \"quoted\"\nline\x01", {{"k", "\\"}}); });
  auto v = boost::json::parse(out).as_object();
  EXPECT_EQ(v.at("msg").as_string(), "a \"quoted\"\nline\x01");
  EXPECT_EQ(v.at("k").as_string(), "\\");
}

TEST(Log, EscapesWhateverTheCharacterSitsInALongValue) {
  // Eight bytes are checked at a time: every position of a chunk and the tail must escape.
  blog::init("t", blog::Level::info);
  for (char special : {'"', '\\', '\n', '\x1f', '\x7f', '\xc3'}) {
    for (std::size_t at = 0; at < 21; ++at) {
      std::string value(21, 'a');
      value[at] = special;
      if (special == '\xc3') value.replace(at, 1, "\xc3\xa9");  // é: passed through as is
      auto out = capture([&] { blog::info("m", {{"k", value}}); });
      EXPECT_EQ(boost::json::parse(out).as_object().at("k").as_string(), value)
          << "special " << int(special) << " at " << at;
    }
  }
}

TEST(Log, DropsLinesBelowTheLevel) {
  blog::init("t", blog::Level::warn);
  EXPECT_EQ(capture([] { blog::info("hidden"); }), "");
  EXPECT_NE(capture([] { blog::error("shown"); }), "");
  EXPECT_THROW(blog::parse_level("verbose"), std::invalid_argument);
}
