#pragma once
// RESP2, the protocol Redis speaks (https://redis.io/docs/reference/protocol-spec/): commands
// go out as arrays of bulk strings, replies come back as one of five types. Pure byte
// shuffling, no I/O, so the Redis store's wire format is testable without a server.
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace bazaar::gateway::rate_limiting {

struct RespValue {
  enum class Type { simple_string, error, integer, bulk_string, array, null };

  Type type = Type::null;
  std::string text;                 // simple_string, error (without the '-'), bulk_string
  std::int64_t integer = 0;         // integer
  std::vector<RespValue> elements;  // array

  bool is_error() const { return type == Type::error; }
};

// Appends one command: "*<n>\r\n" then "$<len>\r\n<arg>\r\n" per argument. Arguments are
// binary-safe. Appending lets a pipeline build one buffer for many commands.
void append_command(std::string& out, std::span<const std::string_view> args);
void append_command(std::string& out, std::initializer_list<std::string_view> args);
std::string encode_command(std::initializer_list<std::string_view> args);

// The server sent something that is not RESP2 (or exceeds the limits below); the connection
// cannot be resynchronised and must be dropped.
class RespProtocolError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Reassembles replies from the pieces a socket delivers them in.
class RespDecoder {
 public:
  // Bulk strings longer than this, or arrays nested deeper, are refused rather than
  // buffered: a rate limiter's replies are a few integers, so more means a wrong server.
  static constexpr std::size_t kMaxBulkLength = 1 << 20;
  static constexpr int kMaxDepth = 8;

  void feed(std::string_view bytes);
  // The next complete reply, or nullopt until more bytes arrive. Throws RespProtocolError.
  std::optional<RespValue> next();
  // Bytes received but not yet returned as a reply.
  std::size_t buffered() const { return buffer_.size() - start_; }
  void reset();

 private:
  std::string buffer_;
  std::size_t start_ = 0;  // where the first unreturned reply begins
};

}  // namespace bazaar::gateway::rate_limiting
