#include "gateway/proxy/access_fields.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "chassis/core/log.hpp"
#include "chassis/core/log_capture.hpp"

namespace proxy = bazaar::gateway::proxy;
namespace blog = bazaar::log;

namespace {
std::string capture(const std::function<void()>& f) { return blog::capture_output(f); }

// The milliseconds of the timestamp may tick between two lines.
std::string without_timestamp(std::string line) {
  const std::string open = "{\"ts\":\"";
  if (line.rfind(open, 0) == 0 && line.size() > open.size() + 24) line.erase(open.size(), 24);
  return line;
}

double round_ms(double ms) { return static_cast<double>(static_cast<long long>(ms * 1000)) / 1000; }

// The access line as it was built before the one-pass writer, field by field through
// log::write: the new line must match it byte for byte.
void write_reference_line(const proxy::AccessRecord& r) {
  blog::TraceIds ids;
  if (r.trace != nullptr) ids = r.trace->ids();
  const blog::TraceIds* trace = r.trace != nullptr ? &ids : nullptr;
  const double upstream = r.upstream_latency_ms ? round_ms(*r.upstream_latency_ms) : -1.0;
  blog::write(blog::Level::info, trace, "request",
              {{"method", r.method},
               {"path", r.path},
               {"status", r.status},
               {"route", r.route},
               {"service", r.service},
               {"consumer_id", r.consumer_id},
               {"client_ip", r.client_ip},
               {"request_id", r.request_id},
               {"upstream", r.upstream},
               {"tries", r.tries},
               {"latency_ms", round_ms(r.latency_ms)},
               {"upstream_latency_ms", upstream},
               {"error", r.error}});
}

std::string reference_millis(double ms) {
  char buf[64];
  return {buf, std::to_chars(buf, buf + sizeof buf, round_ms(ms)).ptr};
}

std::string new_millis(double ms) {
  char buf[64];
  return {buf, proxy::write_millis(buf, ms)};
}

proxy::AccessRecord typical_record() {
  proxy::AccessRecord r;
  r.method = "GET";
  r.path = "/";
  r.status = 200;
  r.route = "bench-route";
  r.service = "bench";
  r.consumer_id = "bench";
  r.client_ip = "127.0.0.1";
  r.upstream = "127.0.0.1:34241";
  r.tries = 1;
  r.latency_ms = 12.4519;
  r.upstream_latency_ms = 8.458;
  return r;
}
}  // namespace

TEST(AccessFields, MillisMatchToCharsForEveryThousandthUpTo2000Ms) {
  for (long long k = 0; k < 2'000'000; ++k) {
    const double ms = static_cast<double>(k) / 1000;
    ASSERT_EQ(new_millis(ms), reference_millis(ms)) << k;
    ASSERT_EQ(new_millis(ms + 0.0004), reference_millis(ms + 0.0004)) << k;
  }
}

TEST(AccessFields, MillisMatchToCharsForRandomAndEdgeValues) {
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> up_to_200s(0, 200'000);
  std::uniform_real_distribution<double> up_to_a_day(0, 86'400'000);
  for (int i = 0; i < 300'000; ++i) {
    const double a = up_to_200s(rng);
    const double b = up_to_a_day(rng);
    ASSERT_EQ(new_millis(a), reference_millis(a)) << a;
    ASSERT_EQ(new_millis(b), reference_millis(b)) << b;
  }
  for (double ms : {0.0, -0.0,  0.0004, 0.0009,    0.001,    0.01,       0.1,        0.5,
                    1.0, 9.999, 10.0,   99999.999, 100000.0, 100000.001, 123456.789, 1e6,
                    1e7, 1e9,   1e12,   -0.0004,   -0.001,   -1.0,       -12.345,    -100000.0}) {
    EXPECT_EQ(new_millis(ms), reference_millis(ms)) << ms;
  }
}

TEST(AccessFields, RawEscapingMatchesAppendJsonEscapedForEveryByteAndPosition) {
  for (int c = 0; c < 256; ++c) {
    for (std::size_t at = 0; at < 21; ++at) {
      std::string text(21, 'a');
      text[at] = static_cast<char>(c);
      std::string expected;
      blog::append_json_escaped(expected, text);
      std::string raw(6 * text.size(), '\0');
      raw.resize(static_cast<std::size_t>(blog::write_json_escaped(raw.data(), text) - raw.data()));
      ASSERT_EQ(raw, expected) << c << " at " << at;
    }
  }
  std::string worst(40, '\x01');
  std::string raw(6 * worst.size(), '\0');
  EXPECT_EQ(blog::write_json_escaped(raw.data(), worst), raw.data() + raw.size());
}

TEST(AccessFields, LineMatchesTheFieldByFieldLineByteForByte) {
  blog::init("gateway", blog::Level::info);
  bazaar::telemetry::TraceContext trace;
  trace.trace_id = "ddd5e0e6864424a18a1fa37031e2c59b";
  trace.span_id = "adeddd6d3cdb2402";
  bazaar::telemetry::TraceContext no_trace_id;
  no_trace_id.span_id = "adeddd6d3cdb2402";
  const std::string long_path = "/api/v1/users/" + std::string(300, 'x') + "?q=\"a\\b\"\n";

  std::vector<proxy::AccessRecord> records;
  records.push_back(typical_record());
  records.push_back(typical_record());
  records.back().trace = &trace;
  records.push_back(typical_record());
  records.back().trace = &no_trace_id;
  records.push_back(proxy::AccessRecord{});  // every field empty or zero
  records.push_back(typical_record());
  records.back().upstream_latency_ms.reset();
  records.back().upstream = "";
  records.back().status = 502;
  records.back().tries = 3;
  records.back().error = "upstream \"refused\"\tthe connection\r\n";
  records.push_back(typical_record());
  records.back().path = long_path;
  records.back().request_id = "id\x01\x1f\x7f\xc3\xa9";
  records.back().consumer_id = "\\";
  records.back().route = "caf\xc3\xa9";
  records.back().status = INT_MAX;
  records.back().tries = INT_MIN;
  records.back().latency_ms = 123456.7891;
  records.back().upstream_latency_ms = 100000;
  records.push_back(typical_record());
  records.back().latency_ms = 0.0004;
  records.back().upstream_latency_ms = 0.05;
  records.push_back(typical_record());
  records.back().latency_ms = -3.5;
  records.back().upstream_latency_ms = 1e9;

  for (std::size_t i = 0; i < records.size(); ++i) {
    const auto& r = records[i];
    const std::string expected = capture([&] { write_reference_line(r); });
    const std::string actual = capture([&] { proxy::write_access_log(r); });
    ASSERT_FALSE(actual.empty());
    EXPECT_EQ(without_timestamp(actual), without_timestamp(expected)) << "record " << i;
  }
}

TEST(AccessFields, LinesGoOutInOneBatchOnABufferedThread) {
  blog::init("gateway", blog::Level::info);
  const auto r = typical_record();
  const std::string one = capture([&] { proxy::write_access_log(r); });
  const std::string batch = capture([&] {
    blog::buffer_this_thread();
    proxy::write_access_log(r);
    proxy::write_access_log(r);
    blog::flush_this_thread();
  });
  EXPECT_EQ(batch.size(), 2 * one.size());
}

TEST(AccessFields, WorstCaseFieldsStayWithinTheRoomAskedFor) {
  const std::string controls(50, '\x01');
  proxy::AccessRecord r;
  r.method = r.path = r.route = r.service = r.consumer_id = controls;
  r.client_ip = r.request_id = r.upstream = r.error = controls;
  r.status = INT_MIN;
  r.tries = INT_MIN;
  r.latency_ms = -1.234567890123e12;
  r.upstream_latency_ms = 1.234567890123e12;
  std::string buffer(proxy::access_fields_room(r), '\0');
  const char* end = proxy::write_access_fields(buffer.data(), r);
  EXPECT_LE(end - buffer.data(), static_cast<std::ptrdiff_t>(buffer.size()));
  EXPECT_EQ(
      std::string_view(buffer.data(), static_cast<std::size_t>(end - buffer.data())).substr(0, 17),
      ",\"method\":\"\\u0001");
}
