#pragma once
// How one request is counted in Redis: a Lua script that increments the counters of all
// configured periods and returns their totals, on the keys and with the expiries Kong uses
// (kong/plugins/rate-limiting/policies/init.lua, redis `usage` with sync_rate -1).
//
// Kong runs, per period, EVAL "INCR key; if it is 1 then EXPIRE key <period length>". One
// script for all periods does the same in one round trip per request instead of one per
// period, and Redis runs it atomically, so the periods of a request are counted together.
// It is run by EVALSHA (the hash from SCRIPT LOAD at connect time) so a request does not
// carry the script's text; EVAL is the fallback when Redis forgot the script.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/rate_limiting/counter_store.hpp"
#include "gateway/plugins/rate_limiting/resp.hpp"

namespace bazaar::gateway::rate_limiting {

// The Lua source: KEYS are the counters, ARGV[1] the delta, ARGV[1 + i] the TTL of KEYS[i].
std::string_view count_script();

// Everything a CountQuery means to Redis, owned (a query's views die with the add call).
struct RedisCount {
  std::vector<std::string> keys;          // counter_key of each period, in query order
  std::vector<std::int64_t> ttl_seconds;  // Kong's EXPIRATION of each period
  std::int64_t delta = 1;
};

RedisCount make_redis_count(const CountQuery& query);

// Appends "EVALSHA <sha> <n> <keys...> <delta> <ttls...>", or EVAL with the script's text
// when `script_sha` is empty.
void append_count_command(std::string& out, const RedisCount& count, std::string_view script_sha);

// The script's reply as the store's result: the totals, or `error` for an error reply or
// a reply of the wrong shape (never more or fewer counts than `periods`).
CountResult parse_count_reply(const RespValue& reply, std::size_t periods);

// Redis does not know the script (restarted, SCRIPT FLUSH, failed over): send EVAL instead.
bool is_noscript_error(const RespValue& reply);

}  // namespace bazaar::gateway::rate_limiting
