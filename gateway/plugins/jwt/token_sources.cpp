#include "gateway/plugins/jwt/token_sources.hpp"

#include <algorithm>
#include <optional>
#include <string_view>
#include <vector>

#include "gateway/plugins/jwt/query_args.hpp"

namespace bazaar::gateway::jwt {
namespace {

// ngx.req.get_headers (lua_max_req_headers) only returns the first 100 request headers.
constexpr std::size_t kMaxHeaders = 100;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// The headers table Kong reads normalises the name it is indexed with: lowercase, and '_'
// becomes '-' (lua-nginx-module's headers metatable).
bool header_name_matches(std::string_view request_name, std::string_view configured) {
  if (request_name.size() != configured.size()) return false;
  for (std::size_t i = 0; i < configured.size(); ++i) {
    char want = configured[i] == '_' ? '-' : lower(configured[i]);
    if (lower(request_name[i]) != want) return false;
  }
  return true;
}

// PCRE's \s: space, \t, \n, \v, \f, \r.
bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// A candidate is either a string or the Lua value `true` (nullopt) from a bare query key.
using Candidate = std::optional<std::string_view>;

// Kong collects the candidates into a set and wants exactly one: so the first one, and whether
// any other differs from it, is all that is kept.
struct Candidates {
  std::optional<Candidate> first;
  bool several = false;

  void add(Candidate c) {
    if (!first) {
      first = c;
    } else if (*first != c) {
      several = true;
    }
  }
};

}  // namespace

std::optional<std::string_view> find_cookie(const Request& request, std::string_view name) {
  for (const Header& h : request.headers) {
    if (!iequals(h.name, "cookie")) continue;
    std::string_view v = h.value;
    std::size_t pos = 0;
    // Mirrors ngx_http_parse_multi_header_lines: compare the name, allow spaces before '=',
    // skip spaces after it; on a mismatch move past the next ';' or ','.
    while (pos < v.size()) {
      if (v.size() - pos >= name.size() && iequals(v.substr(pos, name.size()), name)) {
        std::size_t p = pos + name.size();
        while (p < v.size() && v[p] == ' ') ++p;
        if (p < v.size() && v[p] == '=') {
          ++p;
          while (p < v.size() && v[p] == ' ') ++p;
          std::size_t end = v.find(';', p);
          if (end == std::string_view::npos) end = v.size();
          return v.substr(p, end - p);
        }
        pos = p;
      }
      while (pos < v.size()) {
        char c = v[pos++];
        if (c == ';' || c == ',') break;
      }
      while (pos < v.size() && v[pos] == ' ') ++pos;
    }
  }
  return std::nullopt;
}

std::optional<std::string_view> bearer_token(std::string_view value) {
  constexpr std::string_view kRest = "earer";
  for (std::size_t i = 0; i + 1 + kRest.size() <= value.size(); ++i) {
    if ((value[i] != 'B' && value[i] != 'b') || value.substr(i + 1, kRest.size()) != kRest) {
      continue;
    }
    std::size_t ws_begin = i + 1 + kRest.size();
    std::size_t ws_end = ws_begin;
    while (ws_end < value.size() && is_space(value[ws_end])) ++ws_end;
    if (ws_end == ws_begin) continue;  // \s+ needs at least one
    if (ws_end < value.size()) return value.substr(ws_end);
    // Only whitespace follows: (.+) can still backtrack into the run if it is two or more long.
    if (ws_end - ws_begin >= 2) return value.substr(ws_end - 1);
  }
  return std::nullopt;
}

RetrievedToken retrieve_token(const Config& config, const Request& request) {
  Candidates set;
  std::vector<QueryArg> args;  // the query candidates' storage

  if (!config.uri_param_names.empty() && !request.query.empty()) {
    args = parse_query_args(request.query);
    for (const std::string& name : config.uri_param_names) {
      for (const QueryArg& arg : args) {
        // An empty value is skipped (handler.lua: `token ~= ""`); a bare key is kept as `true`.
        if (arg.key != name || arg.value == std::optional<std::string>("")) continue;
        set.add(arg.value ? Candidate(*arg.value) : std::nullopt);
      }
    }
  }
  const bool from_query = set.first.has_value();  // query arguments come first

  for (const std::string& name : config.cookie_names) {
    std::optional<std::string_view> cookie = find_cookie(request, name);
    if (cookie && !cookie->empty()) set.add(*cookie);
  }

  for (const std::string& name : config.header_names) {
    const std::size_t n = std::min(request.headers.size(), kMaxHeaders);
    for (std::size_t i = 0; i < n; ++i) {
      if (!header_name_matches(request.headers[i].name, name)) continue;
      // A repeated header is a table in Lua; Kong only looks at its first value.
      if (std::optional<std::string_view> t = bearer_token(request.headers[i].value)) set.add(*t);
      break;
    }
  }

  RetrievedToken out;
  if (!set.first) return out;
  if (set.several) {
    out.kind = RetrievedToken::Kind::multiple;
  } else if (!*set.first) {
    out.kind = RetrievedToken::Kind::unrecognizable;
  } else {
    out.kind = RetrievedToken::Kind::one;
    out.found = **set.first;
    if (from_query) out.decoded = std::string(out.found);  // `args` ends here
  }
  return out;
}

}  // namespace bazaar::gateway::jwt
