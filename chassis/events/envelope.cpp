#include "chassis/events/envelope.hpp"

#include <boost/json/parse.hpp>
#include <chrono>
#include <ctime>

#include "chassis/core/ids.hpp"

namespace bazaar::events {
namespace {
std::string_view header(const Headers& h, std::string_view name) {
  for (const auto& [k, v] : h)
    if (k == name) return v;
  return {};
}
}  // namespace

std::string rfc3339_now() {
  using namespace std::chrono;
  auto now = system_clock::now();
  auto secs = time_point_cast<seconds>(now);
  auto ms = duration_cast<milliseconds>(now - secs).count();
  std::time_t t = system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::string out(buf, n);
  out += '.';
  out += static_cast<char>('0' + ms / 100);
  out += static_cast<char>('0' + ms / 10 % 10);
  out += static_cast<char>('0' + ms % 10);
  out += 'Z';
  return out;
}

Event make_event(std::string topic, std::string key, std::string source, std::string data,
                 std::string traceparent) {
  Event e;
  e.type = "bazaar." + topic;
  e.topic = std::move(topic);
  e.key = std::move(key);
  e.id = ids::uuid_v4();
  e.source = std::move(source);
  e.time = rfc3339_now();
  e.data = std::move(data);
  e.traceparent = std::move(traceparent);
  return e;
}

Headers to_headers(const Event& e) {
  Headers h{{"ce_specversion", "1.0"}, {"ce_id", e.id},     {"ce_type", e.type},
            {"ce_source", e.source},   {"ce_time", e.time}, {"content-type", "application/json"}};
  if (!e.traceparent.empty()) h.emplace_back("traceparent", e.traceparent);
  return h;
}

std::variant<Event, std::string> from_message(std::string topic, std::string key, std::string value,
                                              const Headers& headers) {
  if (header(headers, "ce_specversion") != "1.0")
    return std::string("ce_specversion is missing or not 1.0");
  Event e;
  e.topic = std::move(topic);
  e.key = std::move(key);
  e.id = header(headers, "ce_id");
  e.type = header(headers, "ce_type");
  e.source = header(headers, "ce_source");
  e.time = header(headers, "ce_time");
  e.traceparent = header(headers, "traceparent");
  for (auto [name, v] : {std::pair<const char*, const std::string*>{"ce_id", &e.id},
                         {"ce_type", &e.type},
                         {"ce_source", &e.source}}) {
    if (v->empty()) return std::string(name) + " is missing";
  }
  if (e.key.empty()) return std::string("the message has no key");
  boost::json::error_code ec;
  auto parsed = boost::json::parse(value, ec);
  if (ec) return "the value is not JSON: " + ec.message();
  if (!parsed.is_object()) return std::string("the value is not a JSON object");
  e.data = std::move(value);
  return e;
}

}  // namespace bazaar::events
