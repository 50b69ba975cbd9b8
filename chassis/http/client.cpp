#include "chassis/http/client.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/parse.hpp>
#include <deque>
#include <unordered_map>

namespace bazaar::http {
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {
constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);

struct Target {
  std::string host;
  std::string port;
  std::string path_and_query;
  std::string key() const { return host + ":" + port; }
};

Target parse_target(const std::string& url) {
  auto u = boost::urls::parse_uri(url);
  if (!u || u->scheme() != "http" || !u->has_authority() || u->host().empty())
    throw ClientError(ClientError::Kind::bad_url, "http client: not an http:// URL: " + url);
  Target t;
  t.host = u->host();
  t.port = u->has_port() ? std::string(u->port()) : "80";
  t.path_and_query = u->encoded_path().empty() ? "/" : std::string(u->encoded_path());
  if (u->has_query()) t.path_and_query += "?" + std::string(u->encoded_query());
  return t;
}
}  // namespace

boost::json::value ClientResponse::json() const { return boost::json::parse(body); }

ClientRequest json_request(std::string method, std::string url, const boost::json::value& body) {
  ClientRequest r;
  r.method = std::move(method);
  r.url = std::move(url);
  r.headers.emplace_back("Content-Type", "application/json");
  r.body = boost::json::serialize(body);
  return r;
}

struct Client::Impl {
  asio::any_io_executor executor;
  ClientOptions options;
  std::unordered_map<std::string, std::deque<std::unique_ptr<beast::tcp_stream>>> idle;

  std::unique_ptr<beast::tcp_stream> take_idle(const std::string& key) {
    auto it = idle.find(key);
    while (it != idle.end() && !it->second.empty()) {
      auto s = std::move(it->second.back());
      it->second.pop_back();
      if (s->socket().is_open()) return s;
    }
    return nullptr;
  }

  void give_back(const std::string& key, std::unique_ptr<beast::tcp_stream> s) {
    auto& q = idle[key];
    if (q.size() < options.max_idle_per_host) q.push_back(std::move(s));
  }
};

namespace {
asio::awaitable<std::unique_ptr<beast::tcp_stream>> connect(
    asio::any_io_executor ex, Target t, std::chrono::steady_clock::time_point deadline) {
  tcp::resolver resolver(ex);
  auto [rec, results] = co_await resolver.async_resolve(t.host, t.port, nothrow);
  if (rec)
    throw ClientError(ClientError::Kind::connect,
                      "http client: cannot resolve " + t.host + ": " + rec.message());
  auto stream = std::make_unique<beast::tcp_stream>(ex);
  stream->expires_at(deadline);
  auto [cec, ep] = co_await stream->async_connect(results, nothrow);
  if (cec == beast::error::timeout)
    throw ClientError(ClientError::Kind::timeout,
                      "http client: connect to " + t.key() + " timed out");
  if (cec)
    throw ClientError(ClientError::Kind::connect,
                      "http client: cannot connect to " + t.key() + ": " + cec.message());
  stream->socket().set_option(tcp::no_delay(true));
  co_return stream;
}

struct Exchange {
  beast::error_code ec;
  bool wrote = false;
  bhttp::response<bhttp::string_body> response;
};

asio::awaitable<Exchange> exchange(beast::tcp_stream* stream,
                                   const bhttp::request<bhttp::string_body>* req,
                                   std::size_t body_limit) {
  Exchange x;
  auto [wec, wn] = co_await bhttp::async_write(*stream, *req, nothrow);
  if (wec) {
    x.ec = wec;
    co_return x;
  }
  x.wrote = true;
  beast::flat_buffer buf;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(body_limit);
  auto [rec, rn] = co_await bhttp::async_read(*stream, buf, parser, nothrow);
  x.ec = rec;
  if (!rec) x.response = parser.release();
  co_return x;
}
}  // namespace

Client::Client(asio::any_io_executor executor, ClientOptions options)
    : impl_(std::make_unique<Impl>(Impl{std::move(executor), options, {}})) {}

Client::~Client() = default;

Task<ClientResponse> Client::send(ClientRequest request, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  Target t = parse_target(request.url);
  std::string key = t.key();

  bhttp::request<bhttp::string_body> req{bhttp::string_to_verb(request.method), t.path_and_query,
                                         11};
  if (req.method() == bhttp::verb::unknown) req.method_string(request.method);
  req.set(bhttp::field::host, t.host + ":" + t.port);
  for (auto& [k, v] : request.headers) req.set(k, v);
  if (request.trace != nullptr)
    req.set("traceparent", telemetry::TraceContext::child_of(*request.trace).traceparent());
  req.body() = std::move(request.body);
  // Keep-alive unless the caller asked to close (a probe that must not hold a connection).
  if (find_header(request.headers, "Connection").empty()) req.keep_alive(true);
  req.prepare_payload();

  Impl* impl = impl_.get();
  for (int attempt = 0;; ++attempt) {
    bool reused = false;
    std::unique_ptr<beast::tcp_stream> stream;
    if (attempt == 0) stream = impl->take_idle(key);
    if (stream) {
      reused = true;
    } else {
      stream = co_await connect(impl->executor, t, deadline);
    }
    stream->expires_at(deadline);
    Exchange x = co_await exchange(stream.get(), &req, impl->options.response_body_limit);
    if (x.ec) {
      // A pooled connection the server already closed fails before any answer: that
      // request was never processed, so one retry on a fresh connection is safe.
      bool stale =
          reused && (x.ec == bhttp::error::end_of_stream || x.ec == asio::error::connection_reset ||
                     x.ec == asio::error::broken_pipe || !x.wrote);
      if (stale && attempt == 0) continue;
      if (x.ec == beast::error::timeout)
        throw ClientError(ClientError::Kind::timeout,
                          "http client: " + request.method + " " + request.url + " timed out");
      throw ClientError(ClientError::Kind::protocol, "http client: " + request.method + " " +
                                                         request.url + ": " + x.ec.message());
    }
    ClientResponse out;
    out.status = static_cast<int>(x.response.result_int());
    for (const auto& f : x.response) out.headers.emplace_back(f.name_string(), f.value());
    out.body = std::move(x.response.body());
    if (x.response.keep_alive()) {
      stream->expires_never();
      impl->give_back(key, std::move(stream));
    }
    co_return out;
  }
}

struct BlockingClient::Impl {
  asio::io_context ioc{1};
  Client client{ioc.get_executor()};
};

BlockingClient::BlockingClient() : impl_(std::make_unique<Impl>()) {}
BlockingClient::~BlockingClient() = default;

ClientResponse BlockingClient::send(ClientRequest request, std::chrono::milliseconds deadline) {
  auto fut = asio::co_spawn(impl_->ioc, impl_->client.send(std::move(request), deadline),
                            asio::use_future);
  impl_->ioc.restart();
  impl_->ioc.run();
  return fut.get();
}

ClientResponse BlockingClient::get(std::string url, Headers headers) {
  ClientRequest r;
  r.url = std::move(url);
  r.headers = std::move(headers);
  return send(std::move(r));
}

ClientResponse BlockingClient::post_json(std::string url, const boost::json::value& body,
                                         Headers headers) {
  auto r = json_request("POST", std::move(url), body);
  for (auto& h : headers) r.headers.push_back(std::move(h));
  return send(std::move(r));
}

}  // namespace bazaar::http
