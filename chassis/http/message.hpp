#pragma once
// Request and response as handlers see them: plain structs, no Beast types, so that service
// code compiles without Beast's headers.
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chassis/telemetry/trace.hpp"

namespace bazaar::http {

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive lookup; empty when absent.
std::string_view find_header(const Headers& headers, std::string_view name);

struct Request {
  std::string method;
  std::string target;  // as received: path plus query
  std::string path;    // without the query, not percent-decoded
  std::string query;   // after '?', not decoded
  Headers headers;
  std::string body;
  std::vector<std::pair<std::string, std::string>> params;  // from the route's {placeholders}
  std::string route;                                        // the matched route's pattern
  telemetry::TraceContext trace;

  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  std::string_view param(std::string_view name) const;
  // Percent-decoded value of the first `name=` in the query string.
  std::optional<std::string> query_param(std::string_view name) const;
  const log::TraceIds trace_ids() const { return trace.ids(); }
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  Headers headers;
  std::string body;

  static Response json(int status, const boost::json::value& body);
  static Response text(int status, std::string body, std::string content_type = "text/plain");
  static Response empty(int status);
};

// RFC 9457 problem details. `extra` members (for example "errors") are added to the object.
Response problem(int status, std::string_view detail, boost::json::object extra = {});
std::string_view reason_phrase(int status);

template <typename T>
using Task = boost::asio::awaitable<T, boost::asio::any_io_executor>;
using Handler = std::function<Task<Response>(Request)>;

}  // namespace bazaar::http
