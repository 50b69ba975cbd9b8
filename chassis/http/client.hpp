#pragma once
// HTTP/1.1 client with pooled keep-alive connections and a deadline per request. One Client
// per worker (not thread-safe); BlockingClient for tests and tools.
#include <boost/json/value.hpp>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "chassis/http/message.hpp"

namespace bazaar::http {

struct ClientRequest {
  std::string method = "GET";
  std::string url;  // http://host:port/path?query
  Headers headers;
  std::string body;
  const telemetry::TraceContext* trace = nullptr;  // sent on as a child span's traceparent
};

struct ClientResponse {
  int status = 0;
  Headers headers;
  std::string body;
  std::string_view header(std::string_view name) const { return find_header(headers, name); }
  boost::json::value json() const;  // throws on a body that is not JSON
};

struct ClientError : std::runtime_error {
  enum class Kind { bad_url, connect, timeout, protocol };
  ClientError(Kind k, const std::string& what) : std::runtime_error(what), kind(k) {}
  Kind kind;
};

struct ClientOptions {
  std::size_t max_idle_per_host = 32;
  std::size_t response_body_limit = 16 * 1024 * 1024;
};

class Client {
 public:
  explicit Client(boost::asio::any_io_executor executor, ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // Throws ClientError. A stale pooled connection is retried once on a fresh one.
  Task<ClientResponse> send(ClientRequest request, std::chrono::milliseconds deadline);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// A request with a JSON body (Content-Type set).
ClientRequest json_request(std::string method, std::string url, const boost::json::value& body);

class BlockingClient {
 public:
  BlockingClient();
  ~BlockingClient();
  ClientResponse send(ClientRequest request,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10));
  ClientResponse get(std::string url, Headers headers = {});
  ClientResponse post_json(std::string url, const boost::json::value& body, Headers headers = {});

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bazaar::http
