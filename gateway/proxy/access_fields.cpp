#include "gateway/proxy/access_fields.hpp"

#include <charconv>
#include <cstring>
#include <string_view>

#include "chassis/core/log.hpp"

namespace bazaar::gateway::proxy {

namespace {
// Room for every key and punctuation of the line plus four numbers; the string values are
// added at their worst-case escaped size.
constexpr std::size_t kFixedRoom = 512;
constexpr std::size_t kNumberRoom = 32;

template <std::size_t N>
char* put(char* out, const char (&literal)[N]) {
  std::memcpy(out, literal, N - 1);  // a constant size: a few moves, no call
  return out + N - 1;
}

char* put_int(char* out, int value) { return std::to_chars(out, out + kNumberRoom, value).ptr; }

// The value of a string field and the key that follows it, whose opening quote is the
// value's closing one.
template <std::size_t N>
char* put_string(char* out, std::string_view value, const char (&next)[N]) {
  return put(log::write_json_escaped(out, value), next);
}

// One to three fraction digits without trailing zeros; `thousandths` is 1..999.
char* put_fraction(char* out, int thousandths) {
  *out++ = '.';
  *out++ = static_cast<char>('0' + thousandths / 100);
  if (thousandths % 100 == 0) return out;
  *out++ = static_cast<char>('0' + thousandths / 10 % 10);
  if (thousandths % 10 == 0) return out;
  *out++ = static_cast<char>('0' + thousandths % 10);
  return out;
}
}  // namespace

char* write_millis(char* out, double ms) {
  const long long thousandths = static_cast<long long>(ms * 1000);
  // Below 100000 (100 s), the shortest form of thousandths / 1000 is its plain decimal: the
  // neighbouring doubles lie far closer than a thousandth, and scientific notation is never
  // shorter. Beyond that (1e+05), and for negative values, ask the library.
  constexpr long long kPlainBelow = 100000LL * 1000;
  if (thousandths < 0 || thousandths >= kPlainBelow) {
    return std::to_chars(out, out + kNumberRoom, static_cast<double>(thousandths) / 1000).ptr;
  }
  out = std::to_chars(out, out + kNumberRoom, thousandths / 1000).ptr;
  const int fraction = static_cast<int>(thousandths % 1000);
  return fraction == 0 ? out : put_fraction(out, fraction);
}

std::size_t access_fields_room(const AccessRecord& r) {
  const std::size_t strings = r.method.size() + r.path.size() + r.route.size() + r.service.size() +
                              r.consumer_id.size() + r.client_ip.size() + r.request_id.size() +
                              r.upstream.size() + r.error.size();
  return kFixedRoom + 6 * strings;
}

char* write_access_fields(char* out, const AccessRecord& r) {
  out = put(out, ",\"method\":\"");
  out = put_string(out, r.method, "\",\"path\":\"");
  out = put_string(out, r.path, "\",\"status\":");
  out = put_int(out, r.status);
  out = put(out, ",\"route\":\"");
  out = put_string(out, r.route, "\",\"service\":\"");
  out = put_string(out, r.service, "\",\"consumer_id\":\"");
  out = put_string(out, r.consumer_id, "\",\"client_ip\":\"");
  out = put_string(out, r.client_ip, "\",\"request_id\":\"");
  out = put_string(out, r.request_id, "\",\"upstream\":\"");
  out = put_string(out, r.upstream, "\",\"tries\":");
  out = put_int(out, r.tries);
  out = put(out, ",\"latency_ms\":");
  out = write_millis(out, r.latency_ms);
  out = put(out, ",\"upstream_latency_ms\":");
  // An absent upstream latency has always been logged as -1.
  out = r.upstream_latency_ms ? write_millis(out, *r.upstream_latency_ms) : put(out, "-1");
  out = put(out, ",\"error\":\"");
  return put_string(out, r.error, "\"}\n");
}

}  // namespace bazaar::gateway::proxy
