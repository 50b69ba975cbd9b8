#include "gateway/plugins/rate_limiting/resp.hpp"

#include <algorithm>
#include <charconv>

namespace bazaar::gateway::rate_limiting {

namespace {

constexpr std::string_view kCrlf = "\r\n";
// A header or simple line longer than this without CRLF is not Redis talking.
constexpr std::size_t kMaxLineLength = 64 * 1024;

void append_length_line(std::string& out, char type, std::size_t length) {
  out += type;
  out += std::to_string(length);
  out += kCrlf;
}

std::int64_t parse_integer(std::string_view text) {
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  // from_chars accepts a leading '-' but not '+', and no spaces: RESP's rules.
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    throw RespProtocolError("RESP: bad integer \"" + std::string(text.substr(0, 32)) + "\"");
  }
  return value;
}

// Parses one value starting at `pos`; on success advances `pos` past it. Returns nullopt,
// leaving `pos` alone, when `data` ends before the value does.
class Parser {
 public:
  explicit Parser(std::string_view data) : data_(data) {}

  std::optional<RespValue> value(std::size_t& pos, int depth) {
    if (depth > RespDecoder::kMaxDepth) throw RespProtocolError("RESP: arrays nested too deep");
    std::size_t cursor = pos;
    const auto line = read_line(cursor);
    if (!line) return std::nullopt;
    if (line->empty()) throw RespProtocolError("RESP: empty line where a reply was expected");
    const char type = line->front();
    const std::string_view rest = line->substr(1);

    RespValue result;
    switch (type) {
      case '+':
        result.type = RespValue::Type::simple_string;
        result.text = rest;
        break;
      case '-':
        result.type = RespValue::Type::error;
        result.text = rest;
        break;
      case ':':
        result.type = RespValue::Type::integer;
        result.integer = parse_integer(rest);
        break;
      case '$': {
        const std::int64_t length = parse_integer(rest);
        if (length == -1) break;  // the null bulk string
        if (length < 0 || static_cast<std::uint64_t>(length) > RespDecoder::kMaxBulkLength) {
          throw RespProtocolError("RESP: bulk string length " + std::to_string(length));
        }
        const auto size = static_cast<std::size_t>(length);
        if (data_.size() - cursor < size + kCrlf.size()) return std::nullopt;
        if (data_.substr(cursor + size, kCrlf.size()) != kCrlf) {
          throw RespProtocolError("RESP: bulk string not followed by CRLF");
        }
        result.type = RespValue::Type::bulk_string;
        result.text = data_.substr(cursor, size);
        cursor += size + kCrlf.size();
        break;
      }
      case '*': {
        const std::int64_t count = parse_integer(rest);
        if (count == -1) break;  // the null array
        if (count < 0 || static_cast<std::uint64_t>(count) > RespDecoder::kMaxBulkLength) {
          throw RespProtocolError("RESP: array length " + std::to_string(count));
        }
        result.type = RespValue::Type::array;
        // The count is the peer's claim: reserve no more than a sane amount up front.
        result.elements.reserve(std::min<std::size_t>(static_cast<std::size_t>(count), 64));
        for (std::int64_t i = 0; i < count; ++i) {
          auto element = value(cursor, depth + 1);
          if (!element) return std::nullopt;
          result.elements.push_back(std::move(*element));
        }
        break;
      }
      default:
        // RESP3 types ('%', '_', ...) never come unless HELLO 3 was sent, which we do not.
        throw RespProtocolError(std::string("RESP: unknown reply type '") + type + "'");
    }
    pos = cursor;
    return result;
  }

 private:
  // The line at `pos` without its CRLF; advances `pos` past the CRLF.
  std::optional<std::string_view> read_line(std::size_t& pos) const {
    const std::size_t end = data_.find(kCrlf, pos);
    if (end == std::string_view::npos) {
      if (data_.size() - pos > kMaxLineLength) throw RespProtocolError("RESP: line too long");
      return std::nullopt;
    }
    const std::string_view line = data_.substr(pos, end - pos);
    pos = end + kCrlf.size();
    return line;
  }

  std::string_view data_;
};

}  // namespace

void append_command(std::string& out, std::span<const std::string_view> args) {
  append_length_line(out, '*', args.size());
  for (std::string_view arg : args) {
    append_length_line(out, '$', arg.size());
    out += arg;
    out += kCrlf;
  }
}

void append_command(std::string& out, std::initializer_list<std::string_view> args) {
  append_command(out, std::span<const std::string_view>(args.begin(), args.size()));
}

std::string encode_command(std::initializer_list<std::string_view> args) {
  std::string out;
  append_command(out, args);
  return out;
}

void RespDecoder::feed(std::string_view bytes) {
  // Drop what was returned already once it is most of the buffer, so the buffer does not
  // grow with the life of the connection, without moving bytes on every reply.
  if (start_ > 0 && start_ >= buffer_.size() / 2) {
    buffer_.erase(0, start_);
    start_ = 0;
  }
  buffer_ += bytes;
}

std::optional<RespValue> RespDecoder::next() {
  if (start_ == buffer_.size()) return std::nullopt;
  // An incomplete reply is parsed again from its start once more bytes arrived: replies
  // here are a few dozen bytes, so keeping partial parse state would not pay.
  Parser parser(buffer_);
  std::size_t pos = start_;
  auto value = parser.value(pos, 0);
  if (value) start_ = pos;
  if (start_ == buffer_.size()) {
    buffer_.clear();
    start_ = 0;
  }
  return value;
}

void RespDecoder::reset() {
  buffer_.clear();
  start_ = 0;
}

}  // namespace bazaar::gateway::rate_limiting
