#include "gateway/plugins/rate_limiting/redis_count_script.hpp"

#include "gateway/plugins/rate_limiting/counter_key.hpp"

namespace bazaar::gateway::rate_limiting {

namespace {

// The expiry is set when the counter has none, which after INCRBY means it was just
// created: Kong's "result_incr == 1" for its delta of 1, and also right for other deltas.
// Later requests keep the first expiry, as with Kong, so a counter lives for its period's
// nominal length from its first request (its window started at or before that).
constexpr std::string_view kScript = R"lua(local delta = tonumber(ARGV[1])
local counts = {}
for i, key in ipairs(KEYS) do
  counts[i] = redis.call('INCRBY', key, delta)
  if redis.call('TTL', key) == -1 then
    redis.call('EXPIRE', key, ARGV[i + 1])
  end
end
return counts
)lua";

}  // namespace

std::string_view count_script() { return kScript; }

RedisCount make_redis_count(const CountQuery& query) {
  RedisCount count;
  count.delta = query.delta;
  count.keys.reserve(query.periods.size());
  count.ttl_seconds.reserve(query.periods.size());
  for (Period period : query.periods) {
    count.keys.push_back(counter_key(query.subject, period, query.now));
    count.ttl_seconds.push_back(nominal_seconds(period));
  }
  return count;
}

void append_count_command(std::string& out, const RedisCount& count, std::string_view script_sha) {
  // The numbers need storage that outlives the views handed to append_command.
  std::vector<std::string> numbers;
  numbers.reserve(count.ttl_seconds.size() + 2);
  numbers.push_back(std::to_string(count.keys.size()));
  numbers.push_back(std::to_string(count.delta));
  for (std::int64_t ttl : count.ttl_seconds) numbers.push_back(std::to_string(ttl));

  std::vector<std::string_view> args;
  args.reserve(3 + count.keys.size() + numbers.size() - 1);
  args.push_back(script_sha.empty() ? "EVAL" : "EVALSHA");
  args.push_back(script_sha.empty() ? kScript : script_sha);
  args.push_back(numbers[0]);
  for (const std::string& key : count.keys) args.push_back(key);
  for (std::size_t i = 1; i < numbers.size(); ++i) args.push_back(numbers[i]);
  append_command(out, args);
}

CountResult parse_count_reply(const RespValue& reply, std::size_t periods) {
  CountResult result;
  if (reply.is_error()) {
    result.error = "Redis error: " + reply.text;
    return result;
  }
  if (reply.type != RespValue::Type::array || reply.elements.size() != periods) {
    result.error = "Redis answered the count script with an unexpected reply";
    return result;
  }
  result.counts.reserve(periods);
  for (const RespValue& element : reply.elements) {
    if (element.type != RespValue::Type::integer) {
      result.counts.clear();
      result.error = "Redis answered the count script with a non-integer count";
      return result;
    }
    result.counts.push_back(element.integer);
  }
  return result;
}

bool is_noscript_error(const RespValue& reply) {
  return reply.is_error() && reply.text.starts_with("NOSCRIPT");
}

}  // namespace bazaar::gateway::rate_limiting
