// The client side of the proxy: read each request head from our own buffer, refuse what
// could be framed two ways, match a route, run the plugins, then hand over to forward.cpp.
// Keep-alive until the client closes, a timeout passes, or the server drains.
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <functional>
#include <optional>

#include "chassis/core/log.hpp"
#include "gateway/proxy/access_log.hpp"
#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/header_list.hpp"
#include "gateway/proxy/plain_request_head.hpp"
#include "gateway/proxy/request_framing.hpp"

namespace bazaar::gateway::proxy {

namespace {

enum class HeadRead { complete, closed, timeout, too_large };

// Reads until the blank line ending the head is in `buffer`; `head_length` counts it.
asio::awaitable<HeadRead> read_head(Stream* stream, beast::flat_buffer* buffer, std::size_t limit,
                                    std::size_t* head_length) {
  std::size_t searched = 0;
  for (;;) {
    const std::string_view data(static_cast<const char*>(buffer->data().data()), buffer->size());
    const auto end = data.find("\r\n\r\n", searched > 3 ? searched - 3 : 0);
    if (end != std::string_view::npos) {
      *head_length = end + 4;
      co_return *head_length > limit ? HeadRead::too_large : HeadRead::complete;
    }
    if (data.size() >= limit) co_return HeadRead::too_large;
    searched = data.size();
    const IoResult got = co_await stream->read_some(buffer->prepare(16 * 1024));
    if (got.ec) co_return got.ec == beast::error::timeout ? HeadRead::timeout : HeadRead::closed;
    buffer->commit(got.bytes);
  }
}

// Waits for rate-limiting's counters in a store that answers later (the redis policy): its
// callback runs on the store's thread and posts the decision back to this worker.
asio::awaitable<rate_limiting::Decision> counted_later(const AccessPhase* phase) {
  auto executor = co_await asio::this_coro::executor;
  auto initiate = [phase, executor](auto handler) {
    using Handler = decltype(handler);
    auto shared = std::make_shared<Handler>(std::move(handler));
    phase->count([shared, executor](rate_limiting::Decision decision) {
      asio::post(executor, [shared, decision = std::move(decision)]() mutable {
        (*shared)(std::move(decision));
      });
    });
  };
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>&,
                                          void(rate_limiting::Decision)>(std::move(initiate),
                                                                         asio::use_awaitable);
}

void finish(Exchange* x) {
  x->state->requests.fetch_add(1);
  const Snapshot* snap = x->snapshot.get();
  std::string_view route, service;
  if (snap != nullptr && x->match.service) service = snap->service_label(x->match.service);
  if (snap != nullptr && x->status != 0 && x->status != 404)
    route = snap->route_label(x->match.route);
  const double total = ms_since(x->start);
  if (x->status == 0) x->status = 499;  // the client left before an answer, as nginx logs it
  x->state->metrics.record({service, route, x->status, total, x->upstream_ms, x->kong_ms});
  if (x->access.rate_limited) x->state->metrics.rate_limited(service, route);
  AccessRecord record;
  record.method = x->access.request.method;
  record.path = x->original_path;
  record.status = x->status;
  record.route = route;
  record.service = service;
  if (x->access.consumer) record.consumer_id = x->access.consumer->id;
  record.client_ip = x->client_ip;
  record.request_id = x->request_id;
  record.upstream = x->upstream_address;
  record.error = x->access.error.empty() ? std::string_view(x->error) : x->access.error;
  record.latency_ms = total;
  record.upstream_latency_ms = x->upstream_ms;
  record.tries = x->tries;
  record.trace = &x->trace;
  write_access_log(record);
}

// Reads the whole body into the request (for request-transformer, or when it is already here).
asio::awaitable<bool> buffer_body(Exchange* x, Request* request) {
  if (x->expect_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    std::vector<asio::const_buffer> pieces{piece(kContinue)};
    co_await x->client->write(std::move(pieces));
    x->expect_continue = false;
  }
  auto data = std::make_unique_for_overwrite<char[]>(16 * 1024);
  for (;;) {
    x->client->expires_after(x->state->options.read_timeout);
    const BodyPiece got = co_await next_request_body_piece(x->client, x->client_buffer,
                                                           x->parser.get(), data.get(), 16 * 1024);
    if (got.ec) {
      x->close_connection = true;
      if (got.ec == bhttp::error::body_limit) {
        co_await write_gateway_response(x, error_response(413));
      } else {
        x->error = "client request body: " + got.ec.message();
        if (got.ec != asio::error::eof && got.ec != beast::error::timeout)
          co_await write_gateway_response(x, error_response(400));
      }
      co_return false;
    }
    request->body.append(data.get(), got.bytes);
    if (got.done) co_return true;
  }
}

// One request on the connection. Returns false when the connection must close.
asio::awaitable<bool> handle_request(Exchange* x) {
  const ProxyOptions& options = x->state->options;
  // Whether the request has been read whole: a plain head has no body to read.
  const auto read_whole = [x] { return request_read_whole(*x); };

  std::size_t head_length = 0;
  x->client->expires_after(options.read_timeout);
  const HeadRead head =
      co_await read_head(x->client, x->client_buffer, options.max_header_bytes, &head_length);
  if (head == HeadRead::closed) co_return false;
  if (head == HeadRead::timeout) {
    x->close_connection = true;
    co_await write_gateway_response(x, error_response(408));
    finish(x);
    co_return false;
  }
  if (head == HeadRead::too_large) {
    x->close_connection = true;
    co_await write_gateway_response(x, error_response(431));
    finish(x);
    co_return false;
  }

  const std::string_view raw(static_cast<const char*>(x->client_buffer->data().data()),
                             head_length);
  boost::system::error_code ec;
  std::optional<std::string> violation = raw_head_violation(raw);
  // The usual head (no body, nothing unusual) is parsed without Beast; any other by Beast.
  std::optional<PlainRequestHead> plain;
  if (!violation) plain = parse_plain_request_head(raw);
  if (!violation && !plain) {
    x->parser = std::make_unique<RequestParser>();
    RequestParser& parser = *x->parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes + 4));
    parser.body_limit(options.max_body_bytes);
    parser.eager(false);
    const std::size_t used = parser.put(asio::buffer(raw.data(), raw.size()), ec);
    x->client_buffer->consume(used);
    if (ec == bhttp::error::body_limit) {
      x->close_connection = true;
      co_await write_gateway_response(x, error_response(413));
      finish(x);
      co_return false;
    }
    if (ec || !parser.is_header_done()) violation = "malformed request head: " + ec.message();
  }
  Request request;
  std::string target;  // for a redirect's Location
  if (!violation) {
    std::size_t fields = 0;
    if (plain) {
      request.method = std::string(plain->method);
      target = std::string(plain->target);
      x->version = plain->version;
      x->client_keep_alive = plain->keep_alive;
      fields = plain->fields.size();
    } else {
      auto& message = x->parser->get();
      request.method = std::string(message.method_string());
      target = std::string(message.target());
      x->version = message.version();
      x->client_keep_alive = message.keep_alive();
      fields = static_cast<std::size_t>(std::distance(message.begin(), message.end()));
    }
    // Room for what the plugins add (consumer headers, X-Forwarded-*), so they never regrow it.
    request.headers.reserve(fields + 12);
    if (plain) {
      for (const auto& [name, value] : plain->fields)
        request.headers.push_back({std::string(name), std::string(value)});
      x->client_buffer->consume(raw.size());  // the views above are not used after this
    } else {
      for (const auto& field : x->parser->get())
        request.headers.push_back({std::string(field.name_string()), std::string(field.value())});
    }
    violation = framing_violation(request.headers);
    if (!violation && (target.empty() || target.front() != '/'))
      violation = "request target is not a path";
    const auto question = target.find('?');
    request.path = target.substr(0, question);
    if (question != std::string::npos) request.query = target.substr(question + 1);
    const std::size_t hosts = count(request.headers, "host");
    if (!violation && (hosts > 1 || (hosts == 0 && x->version == 11)))
      violation = "missing or repeated Host";
  }
  request.client_ip = x->client_ip;
  x->original_path = request.path;
  x->access.request.method = request.method;
  if (violation) {
    // Nothing after this head can be trusted to be where it seems: answer and close.
    x->error = *violation;
    x->close_connection = true;
    co_await write_gateway_response(x, error_response(400));
    finish(x);
    co_return false;
  }
  if (x->parser) x->parser->eager(true);
  x->host_header = std::string(first_value(request.headers, "host").value_or(""));
  x->request_id = std::string(first_value(request.headers, "x-request-id").value_or(""));
  const auto traceparent = first_value(request.headers, "traceparent");
  x->had_traceparent = traceparent.has_value();
  x->trace = telemetry::TraceContext::child_of(
      traceparent ? telemetry::TraceContext::parse(*traceparent) : std::nullopt);
  x->expect_continue = iequals(first_value(request.headers, "expect").value_or(""), "100-continue");

  x->snapshot = x->state->snapshots.current();
  const Snapshot& snap = *x->snapshot;
  const std::vector<Header>* header_list = &request.headers;
  routing::RequestView view;
  view.method = request.method;
  view.host = x->host_header;
  view.path = request.path;
  view.protocol = x->scheme;
  view.port = x->local_port;
  view.header_values = [header_list](std::string_view name) {
    std::vector<std::string> values;
    for (const Header& h : *header_list)
      if (iequals(h.name, name)) values.push_back(h.value);
    return values;
  };
  const auto match = snap.router.match(view);
  // A request whose body is left unread cannot be followed by another on this connection.
  if (!read_whole()) x->body_buffered = false;
  if (!match) {
    if (!read_whole()) x->close_connection = true;
    x->access.request = std::move(request);
    co_await write_gateway_response(x, no_route_matched());
    finish(x);
    co_return !x->close_connection;
  }
  x->match = *match;
  const config::Route& route = snap.config.routes[match->route];
  if (match->https_redirect) {
    if (!read_whole()) x->close_connection = true;
    x->access.request = std::move(request);
    const int code = route.https_redirect_status_code;
    GatewayResponse answer =
        error_response(code, code == 426 ? "Please use HTTPS protocol" : "Moved");
    if (code == 426) {
      answer.headers.push_back({"Upgrade", "TLS/1.2, HTTP/1.1"});
    } else {
      answer.headers.push_back({"Location", "https://" + std::string(x->host_header) + target});
    }
    co_await write_gateway_response(x, std::move(answer));
    finish(x);
    co_return !x->close_connection;
  }
  if (!match->service) {
    if (!read_whole()) x->close_connection = true;
    x->access.request = std::move(request);
    co_await write_gateway_response(x, no_service_for_route());
    finish(x);
    co_return !x->close_connection;
  }

  // The body is read up front when a plugin may rewrite it, or when it is already here
  // (then a dead kept-alive upstream connection can be retried transparently).
  const Scope scope{match->route, match->service, std::nullopt};
  const auto content_length = x->parser ? x->parser->content_length() : boost::none;
  const bool arrived = content_length && x->client_buffer->size() >= *content_length;
  if (!read_whole() && (snap.may_rewrite_body(scope) || arrived)) {
    if (!co_await buffer_body(x, &request)) {
      finish(x);
      co_return false;
    }
    x->body_buffered = true;
  }

  x->access.request = std::move(request);
  AccessPhase phase(snap, *match, std::chrono::system_clock::now(), x->access);
  if (!phase.run()) phase.resume(co_await counted_later(&phase));
  if (x->access.response) {
    if (!read_whole()) x->close_connection = true;
    GatewayResponse answer = std::move(*x->access.response);
    x->access.response.reset();
    if (answer.status >= 500 && !x->access.error.empty())
      log::error("plugin failed", {{"error", x->access.error}});
    co_await write_gateway_response(x, std::move(answer));
    finish(x);
    co_return !x->close_connection;
  }

  co_await forward_to_upstream(x);
  finish(x);
  co_return !x->close_connection;
}

}  // namespace

asio::awaitable<void> serve_connection(ProxyServer::State* state, Worker* worker,
                                       std::unique_ptr<Stream> stream, std::string scheme,
                                       std::uint16_t local_port, std::string client_ip) {
  Session session{&stream->socket()};
  auto registered = worker->sessions.insert(worker->sessions.end(), &session);
  beast::flat_buffer buffer;
  bool linger = false;
  for (;;) {
    if (state->draining.load()) break;
    if (buffer.size() == 0) {
      // Idle: wait for the next request's first bytes.
      stream->expires_after(state->options.idle_timeout);
      const IoResult got = co_await stream->read_some(buffer.prepare(16 * 1024));
      if (got.ec) break;
      buffer.commit(got.bytes);
    }
    session.busy = true;
    auto exchange = std::make_unique<Exchange>();
    exchange->state = state;
    exchange->worker = worker;
    exchange->client = stream.get();
    exchange->client_buffer = &buffer;
    exchange->scheme = scheme;
    exchange->local_port = local_port;
    exchange->client_ip = client_ip;
    exchange->start = Clock::now();
    const bool again = co_await handle_request(exchange.get());
    session.busy = false;
    if (!again) {
      linger = exchange->close_connection;
      break;
    }
  }
  worker->sessions.erase(registered);
  co_await stream->shutdown();
  if (linger) {
    // After an error answer the client may still be sending; closing with unread data would
    // reset the connection before it reads the answer. Read and discard for a moment first.
    auto sink = std::make_unique_for_overwrite<char[]>(16 * 1024);
    std::size_t discarded = 0;
    stream->expires_after(std::chrono::seconds(2));
    while (discarded < (1u << 20)) {
      const IoResult got = co_await stream->read_some(asio::buffer(sink.get(), 16 * 1024));
      if (got.ec) break;
      discarded += got.bytes;
    }
  }
  boost::system::error_code ignored;
  stream->socket().close(ignored);
  state->connections.fetch_sub(1);
}

}  // namespace bazaar::gateway::proxy
