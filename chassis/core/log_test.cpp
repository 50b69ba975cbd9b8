#include "chassis/core/log.hpp"
#include "chassis/core/log_capture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <string>
#include <string_view>

namespace blog = bazaar::log;

namespace {
std::string capture(const std::function<void()>& f) { return blog::capture_output(f); }
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

TEST(Log, LineStartStaysWithinTheRoomAskedFor) {
  blog::init("svc\x01\"", blog::Level::info);
  const std::string msg(40, '\x1f');
  blog::TraceIds ids{"4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"};
  for (auto level :
       {blog::Level::debug, blog::Level::info, blog::Level::warn, blog::Level::error}) {
    std::string buffer(blog::line_start_room(level, &ids, msg), '\0');
    const char* end = blog::write_line_start(buffer.data(), level, &ids, msg);
    EXPECT_LE(end - buffer.data(), static_cast<std::ptrdiff_t>(buffer.size()));
  }
}

namespace {
// JSON escaping spelled out one byte at a time: what the word-at-a-time escaper must give.
std::string escaped_byte_by_byte(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (u < 0x20) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\u00";
      out += kHex[u >> 4];
      out += kHex[u & 0xF];
    } else {
      out += c;
    }
  }
  return out;
}
}  // namespace

TEST(Log, EscapingIsRightAtEveryLengthAndPosition) {
  // Values are checked in overlapping windows of four and eight bytes: a character that needs
  // escaping must be found wherever it sits, whatever the length.
  for (char special : {'"', '\\', '\n', '\t', '\x01', '\x1f', '\x7f', '\xc3', ' '}) {
    for (std::size_t length = 0; length < 26; ++length) {
      for (std::size_t at = 0; at <= length; ++at) {
        std::string text(length, 'a');
        if (at < length) text[at] = special;
        std::string appended = "x";
        blog::append_json_escaped(appended, text);
        ASSERT_EQ(appended, "x" + escaped_byte_by_byte(text))
            << int(special) << " length " << length << " at " << at;
      }
    }
  }
}
