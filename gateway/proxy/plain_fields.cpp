#include "gateway/proxy/plain_fields.hpp"

#include <array>
#include <cstring>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

namespace {

constexpr auto kTokenChars = [] {
  std::array<bool, 256> table{};
  for (unsigned char c : std::string_view("!#$%&'*+-.^_`|~")) table[c] = true;
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[static_cast<std::size_t>(c)] = true;
  for (int c = 'A'; c <= 'Z'; ++c) table[static_cast<std::size_t>(c)] = true;
  return table;
}();

// What Beast refuses inside a reason, target or field value: controls other than HTAB, DEL.
bool is_control(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

// Where the first control character (other than HTAB) or DEL is at or after `from`, or
// text.size(). A line ends at the first one, which must then be the CR of a CRLF. Sixteen
// bytes at a time with SSE2 (part of x86-64), eight at a time elsewhere: most of a head is
// long values (a bearer token alone is hundreds of bytes).
std::size_t first_control(std::string_view text, std::size_t from) {
  std::size_t i = from;
#ifdef __SSE2__
  const __m128i flip = _mm_set1_epi8(static_cast<char>(0x80));
  const __m128i space_flipped = _mm_set1_epi8(static_cast<char>(0x20 ^ 0x80));
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i del = _mm_set1_epi8(0x7f);
  for (; i + 16 <= text.size(); i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(text.data() + i));
    // Unsigned v < 0x20, as a signed comparison with the top bits flipped.
    const __m128i below_space = _mm_cmplt_epi8(_mm_xor_si128(v, flip), space_flipped);
    const __m128i control =
        _mm_or_si128(_mm_andnot_si128(_mm_cmpeq_epi8(v, tab), below_space), _mm_cmpeq_epi8(v, del));
    const int mask = _mm_movemask_epi8(control);
    if (mask != 0) return i + static_cast<std::size_t>(__builtin_ctz(static_cast<unsigned>(mask)));
  }
#else
  constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
  constexpr std::uint64_t kHighs = 0x8080808080808080ULL;
  for (; i + 8 <= text.size(); i += 8) {
    std::uint64_t v;
    std::memcpy(&v, text.data() + i, 8);
    const bool below_space = ((v - 0x20 * kOnes) & ~v & kHighs) != 0;
    const std::uint64_t del = v ^ (0x7f * kOnes);
    const bool has_del = ((del - kOnes) & ~del & kHighs) != 0;
    if (below_space || has_del) break;  // the byte loop below finds which one
  }
#endif
  for (; i < text.size(); ++i)
    if (is_control(text[i])) return i;
  return text.size();
}

std::string_view trim_whitespace(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

struct ConnectionTokens {
  bool close = false;
  bool keep_alive = false;
};

// A Connection value as a list of tokens; false when it is not a plain one.
bool read_connection(std::string_view value, ConnectionTokens* tokens) {
  while (true) {
    const auto comma = value.find(',');
    const std::string_view item = trim_whitespace(value.substr(0, comma));
    if (item.empty()) return false;
    for (char c : item)
      if (!is_token_char(c)) return false;
    if (iequals(item, "close")) tokens->close = true;
    if (iequals(item, "keep-alive")) tokens->keep_alive = true;
    if (comma == std::string_view::npos) return true;
    value.remove_prefix(comma + 1);
  }
}

enum class SpecialField { none, content_length, connection, proxy_connection, framing };

// The fields Beast's parser gives a meaning to, told apart by length first.
SpecialField special_field(std::string_view name) {
  switch (name.size()) {
    case 7:
      return iequals(name, "upgrade") ? SpecialField::framing : SpecialField::none;
    case 10:
      return iequals(name, "connection") ? SpecialField::connection : SpecialField::none;
    case 14:
      return iequals(name, "content-length") ? SpecialField::content_length : SpecialField::none;
    case 16:
      return iequals(name, "proxy-connection") ? SpecialField::proxy_connection
                                               : SpecialField::none;
    case 17:
      return iequals(name, "transfer-encoding") ? SpecialField::framing : SpecialField::none;
    default:
      return SpecialField::none;
  }
}

}  // namespace

bool is_digit(char c) { return c >= '0' && c <= '9'; }

bool is_token_char(char c) { return kTokenChars[static_cast<unsigned char>(c)]; }

std::optional<std::string_view> plain_line(std::string_view text, std::size_t* at) {
  const std::size_t from = *at;
  const std::size_t end = first_control(text, from);
  if (end + 1 >= text.size() || text[end] != '\r' || text[end + 1] != '\n') return std::nullopt;
  *at = end + 2;
  return text.substr(from, end - from);
}

bool parse_plain_fields(std::string_view text, std::size_t at, PlainFields* out) {
  bool seen_connection = false;
  for (;;) {
    if (at + 2 > text.size()) return false;
    if (text[at] == '\r') {
      if (text[at + 1] != '\n') return false;
      return at + 2 == text.size();  // the caller passes exactly one head
    }
    const auto* colon =
        static_cast<const char*>(std::memchr(text.data() + at, ':', text.size() - at));
    if (colon == nullptr) return false;
    const std::string_view name =
        text.substr(at, static_cast<std::size_t>(colon - text.data()) - at);
    bool token = !name.empty();
    for (char c : name) token &= is_token_char(c);
    if (!token) return false;
    at += name.size() + 1;
    const auto line = plain_line(text, &at);
    if (!line) return false;
    // A next line starting with whitespace continues this one (obs-fold): left to Beast.
    if (at < text.size() && (text[at] == ' ' || text[at] == '\t')) return false;
    const std::string_view value = trim_whitespace(*line);

    switch (special_field(name)) {
      case SpecialField::content_length: {
        if (out->content_length || value.empty() || value.size() > 18) return false;
        std::uint64_t length = 0;
        for (char c : value) {
          if (!is_digit(c)) return false;
          length = length * 10 + static_cast<std::uint64_t>(c - '0');
        }
        out->content_length = length;
        break;
      }
      case SpecialField::connection:
      case SpecialField::proxy_connection: {
        ConnectionTokens tokens;
        if (!read_connection(value, &tokens)) return false;
        out->close |= tokens.close;
        out->keep_alive |= tokens.keep_alive;
        if (!seen_connection && special_field(name) == SpecialField::connection) {
          seen_connection = true;
          out->first_connection_close = tokens.close;
          out->first_connection_keep_alive = tokens.keep_alive;
        }
        break;
      }
      case SpecialField::framing:
        return false;
      case SpecialField::none:
        break;
    }
    out->fields.emplace_back(name, value);
  }
}

}  // namespace bazaar::gateway::proxy
