// The upstream side of a request: pick a target, connect (or reuse a kept-alive connection),
// send the rewritten request, stream its body, read the answer and stream it to the client.
// Failures before the client saw anything become Kong's 502/503/504; after that the client
// connection is cut, the only honest signal left.
#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <charconv>
#include <limits>

#include "gateway/proxy/exchange.hpp"
#include "gateway/proxy/forwarded_headers.hpp"
#include "gateway/proxy/head_writer.hpp"
#include "gateway/proxy/header_list.hpp"
#include "gateway/proxy/hop_by_hop.hpp"
#include "gateway/proxy/plain_response_head.hpp"

namespace bazaar::gateway::proxy {

namespace {

constexpr auto nothrow = asio::as_tuple(asio::use_awaitable);
constexpr std::size_t kPieceSize = 16 * 1024;

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD" || method == "PUT" || method == "DELETE" ||
         method == "OPTIONS" || method == "TRACE";
}

enum class BodyMode { none, buffered, stream_length, stream_chunked };

// The buffers that send `bytes` of `data` on, as one chunk when `chunked` (the size line
// goes into `size_line`, which must outlive the write).
std::vector<asio::const_buffer> body_pieces(const char* data, std::size_t bytes, bool chunked,
                                            char (&size_line)[24]) {
  std::vector<asio::const_buffer> pieces;
  if (bytes == 0) return pieces;
  if (chunked) {
    const int n = std::snprintf(size_line, sizeof size_line, "%zx\r\n", bytes);
    pieces.push_back(asio::buffer(size_line, static_cast<std::size_t>(n)));
    pieces.push_back(asio::buffer(data, bytes));
    pieces.push_back(piece("\r\n"));
  } else {
    pieces.push_back(asio::buffer(data, bytes));
  }
  return pieces;
}

struct Target {
  std::string host;
  std::uint16_t port = 0;
  std::optional<std::size_t> balancer_target;  // set when picked from an upstream
};

// Kong's upstream Host: the client's (preserve_host), request-transformer's, the upstream's
// host_header, else the target's name with its port unless it is the scheme's default.
std::string upstream_host_header(const Exchange& x, const Target& target) {
  if (x.match.upstream_host) return *x.match.upstream_host;
  if (x.access.upstream_host) return *x.access.upstream_host;
  const auto& service = x.snapshot->config.services[*x.match.service];
  if (service.upstream) {
    const auto& upstream = x.snapshot->config.upstreams[*service.upstream];
    if (upstream.host_header) return *upstream.host_header;
  }
  if (target.port == 80) return target.host;
  return target.host + ":" + std::to_string(target.port);
}

// Remembers compute()'s value for `key` in `known`, a per-thread list for the few keys a
// gateway sees (forgotten all at once past 64): a short scan beats the work it saves.
template <class Key, class Value, class Compute>
const Value& remembered(std::vector<std::pair<Key, Value>>& known, const Key& key,
                        Compute compute) {
  for (const auto& [k, value] : known)
    if (k == key) return value;
  if (known.size() >= 64) known.clear();
  known.emplace_back(key, compute());
  return known.back().second;
}

// An IP-literal host's address, nullopt for a name: parsing the literal (inet_pton) on every
// request showed in the profile.
std::optional<asio::ip::address> ip_literal(const std::string& host) {
  thread_local std::vector<std::pair<std::string, std::optional<asio::ip::address>>> known;
  return remembered(known, host, [&host]() -> std::optional<asio::ip::address> {
    boost::system::error_code ec;
    const auto address = asio::ip::make_address(host, ec);
    if (ec) return std::nullopt;
    return address;
  });
}

// The endpoint when no lookup is needed: an IP literal, or a name the cache still holds.
std::optional<tcp::endpoint> known_endpoint(DnsCache* cache, const std::string& host,
                                            std::uint16_t port) {
  if (const auto literal = ip_literal(host)) return tcp::endpoint(*literal, port);
  return cache->find(host, port, DnsCache::Clock::now());
}

// Looks up a name that known_endpoint did not have, and remembers it.
asio::awaitable<std::optional<tcp::endpoint>> resolve(DnsCache* cache, std::string host,
                                                      std::uint16_t port) {
  auto executor = co_await asio::this_coro::executor;
  tcp::resolver resolver(executor);
  const std::string service = std::to_string(port);
  auto [rec, results] = co_await resolver.async_resolve(host, service, nothrow);
  if (rec || results.empty()) co_return std::nullopt;
  // IPv4 first: `localhost` often lists ::1 first, where an upstream bound to 127.0.0.1
  // does not listen.
  tcp::endpoint endpoint = results.begin()->endpoint();
  for (const auto& r : results) {
    if (r.endpoint().address().is_v4()) {
      endpoint = r.endpoint();
      break;
    }
  }
  cache->remember(host, port, endpoint, DnsCache::Clock::now());
  co_return endpoint;
}

// "ip:port", the upstream pool's key and the log's `upstream`: formatting an address
// (inet_ntop) on every request cost more than the rest of choosing the target.
std::string key_of(const tcp::endpoint& endpoint) {
  thread_local std::vector<std::pair<tcp::endpoint, std::string>> known;
  return remembered(known, endpoint, [&endpoint] {
    return endpoint.address().to_string() + ":" + std::to_string(endpoint.port());
  });
}

struct Attempt {
  enum class Result { answered, retry, failed, client_gone };
  Result result = Result::failed;
  std::optional<GatewayResponse> failure;  // what to answer when failed
};

// Client headers that do not travel as they are: hop-by-hop ones, the X-Forwarded-* set
// (ours replace them), framing and Host (set afresh) and Expect (100-continue is answered here).
bool replaced_upstream(std::string_view name, const HopByHop& hop) {
  return hop.drops(name) || is_forwarded_header(name) || iequals(name, "content-length") ||
         iequals(name, "host") || iequals(name, "expect");
}

std::string build_request_head(const Exchange& x, const std::string& host, BodyMode mode) {
  const Request& req = x.access.request;
  const std::string& path = x.access.path_replaced ? req.path : x.match.upstream_path;

  // One pass over the client's headers: what must not travel is skipped, the client's
  // X-Forwarded-For values are kept for ours. The head is sized for all of them at once.
  HopByHop hop;
  std::size_t size = 384 + path.size() + req.query.size() + host.size();
  for (const Header& h : req.headers) {
    hop.note(h.name, h.value);
    size += h.name.size() + h.value.size() + 4;
  }
  HeadWriter head(size);
  head.add(req.method).add(' ').add(path.empty() ? std::string_view("/") : path);
  if (!req.query.empty()) head.add('?').add(req.query);
  head.add(" HTTP/1.1\r\n").field("Host", host);
  for (const Header& h : req.headers) {
    if (replaced_upstream(h.name, hop)) continue;
    head.field(h.name, h.value);
  }
  const ClientConnectionFacts facts{x.client_ip,  x.scheme,        x.host_header,
                                    x.local_port, x.original_path, x.match.stripped_prefix};
  emit_forwarded_headers(
      req.headers, hop, facts,
      [](void* out, std::string_view name, std::string_view value) {
        static_cast<HeadWriter*>(out)->field(name, value);
      },
      &head);
  if (!x.had_traceparent) head.field("traceparent", x.trace.traceparent());
  switch (mode) {
    case BodyMode::none:
      // A body-less POST/PUT still says so, as nginx does, so the upstream does not wait.
      if (req.method == "POST" || req.method == "PUT" || req.method == "PATCH")
        head.field("Content-Length", "0");
      break;
    case BodyMode::buffered:
      head.field("Content-Length", std::to_string(req.body.size()));
      break;
    case BodyMode::stream_length:
      head.field("Content-Length", std::to_string(x.parser->content_length().value_or(0)));
      break;
    case BodyMode::stream_chunked:
      head.field("Transfer-Encoding", "chunked");
      break;
  }
  head.add("\r\n");
  return head.take();
}

// Streams the rest of the client's body to the upstream. Returns the failure to answer,
// or nullopt when the body went through.
asio::awaitable<std::optional<GatewayResponse>> stream_request_body(Exchange* x, Stream* upstream,
                                                                    BodyMode mode,
                                                                    bool* client_gone) {
  const auto& options = x->state->options;
  const auto& service = x->snapshot->config.services[*x->match.service];
  if (x->expect_continue) {
    static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
    x->client->expires_after(options.read_timeout);
    std::vector<asio::const_buffer> pieces{piece(kContinue)};
    co_await x->client->write(std::move(pieces));
    x->expect_continue = false;
  }
  auto data = std::make_unique_for_overwrite<char[]>(kPieceSize);
  for (;;) {
    x->client->expires_after(options.read_timeout);
    const BodyPiece got = co_await next_request_body_piece(x->client, x->client_buffer,
                                                           x->parser.get(), data.get(), kPieceSize);
    if (got.ec) {
      x->close_connection = true;
      if (got.ec == bhttp::error::body_limit) co_return error_response(413);
      *client_gone = true;
      x->error = "client request body: " + got.ec.message();
      co_return error_response(400);
    }
    char size_line[24];
    std::vector<asio::const_buffer> pieces =
        body_pieces(data.get(), got.bytes, mode == BodyMode::stream_chunked, size_line);
    if (got.done && mode == BodyMode::stream_chunked) pieces.push_back(piece("0\r\n\r\n"));
    if (!pieces.empty()) {
      upstream->expires_after(std::chrono::milliseconds(service.write_timeout));
      const IoResult sent = co_await upstream->write(std::move(pieces));
      if (sent.ec) {
        x->error = "upstream write: " + sent.ec.message();
        if (sent.ec == beast::error::timeout) co_return upstream_timeout();
        co_return upstream_invalid_response();
      }
    }
    if (got.done) co_return std::nullopt;
  }
}

// Heads up to this size are tried as plain ones; Beast's limit for the rest is 64 KiB.
constexpr std::size_t kPlainHeadLimit = 32 * 1024;

struct ResponseHead {
  // The head was a plain one (the usual case): its views point into the upstream buffer's
  // consumed bytes, which stay in place until the next read into that buffer.
  std::optional<PlainResponseHead> plain;
  std::unique_ptr<ResponseParser> parser;  // otherwise Beast's, which then frames the body
  bool received_anything = false;
  boost::system::error_code ec;

  int status() const { return plain ? plain->status : parser->get().result_int(); }
};

asio::awaitable<ResponseHead> read_response_head(Stream* upstream, beast::flat_buffer* buffer,
                                                 std::chrono::milliseconds read_timeout,
                                                 bool head_request) {
  ResponseHead out;
  auto make_parser = [&] {
    out.parser = std::make_unique<ResponseParser>();
    out.parser->header_limit(64 * 1024);
    out.parser->body_limit(std::numeric_limits<std::uint64_t>::max());
    out.parser->eager(false);
    if (head_request) out.parser->skip(true);
  };
  for (;;) {
    boost::system::error_code ec;
    if (buffer->size() > 0 && !out.parser) {
      // A head that is here whole is tried as a plain one first. Any other goes to Beast with
      // the same bytes it would have had, so its errors (early ones included) stay the same.
      const std::string_view data(static_cast<const char*>(buffer->data().data()), buffer->size());
      const auto blank = data.find("\r\n\r\n");
      if (blank != std::string_view::npos && blank + 4 <= kPlainHeadLimit) {
        auto plain = parse_plain_response_head(data.substr(0, blank + 4), head_request);
        if (plain) {
          buffer->consume(plain->head_length);
          if (plain->status < 200 && plain->status != 101) continue;  // interim: dropped
          out.plain = std::move(plain);
          co_return out;
        }
      }
      make_parser();
    }
    if (buffer->size() > 0) {
      const std::size_t used = out.parser->put(buffer->data(), ec);
      buffer->consume(used);
    } else {
      ec = bhttp::error::need_more;
    }
    if (!ec && out.parser->is_header_done()) {
      const int status = out.parser->get().result_int();
      if (status >= 100 && status < 200 && status != 101) {  // interim answers are dropped
        out.parser.reset();
        continue;
      }
      co_return out;
    }
    if (ec && ec != bhttp::error::need_more) {
      out.ec = ec;
      co_return out;
    }
    upstream->expires_after(read_timeout);
    const IoResult got = co_await upstream->read_some(buffer->prepare(16 * 1024));
    if (got.ec) {
      out.ec = got.ec;
      co_return out;
    }
    out.received_anything = true;
    buffer->commit(got.bytes);
  }
}

// The next piece of a body of known length, straight from `buffer` (read into as needed):
// the bytes stay in the buffer until the caller consumed them after writing them on.
struct LengthPiece {
  std::size_t bytes = 0;
  boost::system::error_code ec;
};

asio::awaitable<LengthPiece> next_length_piece(Stream* upstream, beast::flat_buffer* buffer,
                                               std::uint64_t remaining,
                                               std::chrono::milliseconds read_timeout) {
  if (buffer->size() == 0) {
    upstream->expires_after(read_timeout);
    const IoResult got = co_await upstream->read_some(buffer->prepare(kPieceSize));
    // The answer ended before its Content-Length: what Beast's parser reports then.
    if (got.ec == asio::error::eof) co_return LengthPiece{0, bhttp::error::partial_message};
    if (got.ec) co_return LengthPiece{0, got.ec};
    buffer->commit(got.bytes);
  }
  co_return LengthPiece{
      static_cast<std::size_t>(std::min<std::uint64_t>({remaining, buffer->size(), kPieceSize})),
      {}};
}

// Streams a plain answer's body (Content-Length) to the client after `head`. Returns true
// when the upstream connection may be reused.
asio::awaitable<bool> relay_plain_body(Exchange* x, Stream* upstream, beast::flat_buffer* buffer,
                                       const PlainResponseHead* plain, std::string_view head) {
  const auto& options = x->state->options;
  const auto& service = x->snapshot->config.services[*x->match.service];
  const auto read_timeout = std::chrono::milliseconds(service.read_timeout);
  std::uint64_t remaining = plain->has_body ? *plain->content_length : 0;
  const auto bytes_here = [buffer, &remaining] {
    return static_cast<std::size_t>(std::min<std::uint64_t>(remaining, buffer->size()));
  };
  // A small answer usually arrives whole with its head: one write sends both (a write is a
  // system call and, on a busy machine, a context switch).
  std::array<asio::const_buffer, 2> pieces{piece(head)};
  std::size_t sent_with_head = 0;
  if (remaining > 0 && remaining <= kPieceSize && bytes_here() == remaining) {
    sent_with_head = bytes_here();
    pieces[1] = asio::buffer(buffer->data().data(), sent_with_head);
  }
  x->client->expires_after(options.read_timeout);
  const std::span<const asio::const_buffer> head_and_body(pieces.data(),
                                                          sent_with_head > 0 ? 2 : 1);
  const IoResult wrote_head = co_await x->client->write(head_and_body);
  if (wrote_head.ec) {
    x->close_connection = true;
    co_return false;
  }
  buffer->consume(sent_with_head);
  remaining -= sent_with_head;
  while (remaining > 0) {
    const LengthPiece got = co_await next_length_piece(upstream, buffer, remaining, read_timeout);
    if (got.ec) {
      x->error = "upstream response body: " + got.ec.message();
      x->close_connection = true;  // the client must see the answer is cut short
      co_return false;
    }
    const std::array<asio::const_buffer, 1> body{asio::buffer(buffer->data().data(), got.bytes)};
    x->client->expires_after(options.read_timeout);
    const IoResult sent = co_await x->client->write(body);
    if (sent.ec) {
      x->close_connection = true;
      co_return false;
    }
    buffer->consume(got.bytes);
    remaining -= got.bytes;
  }
  co_return plain->keep_alive && buffer->size() == 0;
}

// Streams the body Beast's parser frames (chunked, close-delimited, or after an unusual head)
// to the client after `head`. Returns true when the upstream connection may be reused.
asio::awaitable<bool> relay_parsed_body(Exchange* x, Stream* upstream, beast::flat_buffer* buffer,
                                        ResponseParser* parser, std::string_view head,
                                        bool bodiless, bool chunk_to_client) {
  const auto& options = x->state->options;
  const auto& service = x->snapshot->config.services[*x->match.service];
  const auto length = parser->content_length();
  // The piece buffer is as large as a small answer needs, kPieceSize only for a stream.
  const bool whole_in_buffer =
      !bodiless && length && *length <= buffer->size() && *length <= kPieceSize;
  auto data = std::make_unique_for_overwrite<char[]>(
      whole_in_buffer ? std::max<std::size_t>(*length, 1) : kPieceSize);
  const auto read_timeout = std::chrono::milliseconds(service.read_timeout);
  std::vector<asio::const_buffer> head_pieces{piece(head)};
  char first_size_line[24];
  bool done = bodiless;
  // A small answer usually arrives whole with its head: one write sends both.
  if (whole_in_buffer) {
    const BodyPiece got =
        co_await next_response_body_piece(upstream, buffer, parser, data.get(), *length);
    if (got.ec) {
      x->error = "upstream response body: " + got.ec.message();
      x->close_connection = true;
      co_return false;
    }
    for (const auto& p : body_pieces(data.get(), got.bytes, false, first_size_line))
      head_pieces.push_back(p);
    done = got.done;
  }
  x->client->expires_after(options.read_timeout);
  const IoResult wrote_head = co_await x->client->write(std::move(head_pieces));
  if (wrote_head.ec) {
    x->close_connection = true;
    co_return false;
  }
  if (bodiless) co_return parser->is_done() && parser->keep_alive() && buffer->size() == 0;
  if (done) co_return parser->keep_alive() && buffer->size() == 0;

  if (whole_in_buffer) data = std::make_unique_for_overwrite<char[]>(kPieceSize);
  for (;;) {
    upstream->expires_after(read_timeout);
    const BodyPiece got =
        co_await next_response_body_piece(upstream, buffer, parser, data.get(), kPieceSize);
    if (got.ec) {
      x->error = "upstream response body: " + got.ec.message();
      x->close_connection = true;  // the client must see the answer is cut short
      co_return false;
    }
    char size_line[24];
    std::vector<asio::const_buffer> pieces =
        body_pieces(data.get(), got.bytes, chunk_to_client, size_line);
    if (got.done && chunk_to_client) pieces.push_back(piece("0\r\n\r\n"));
    if (!pieces.empty()) {
      x->client->expires_after(options.read_timeout);
      const IoResult sent = co_await x->client->write(std::move(pieces));
      if (sent.ec) {
        x->close_connection = true;
        co_return false;
      }
    }
    if (got.done) break;
  }
  co_return parser->keep_alive() && buffer->size() == 0;
}

// Streams the upstream's answer to the client. Returns true when the upstream connection
// ended cleanly and may be reused.
asio::awaitable<bool> relay_response(Exchange* x, Stream* upstream, beast::flat_buffer* buffer,
                                     ResponseHead* response) {
  const PlainResponseHead* plain = response->plain ? &*response->plain : nullptr;
  ResponseParser* parser = response->parser.get();
  const int status = response->status();
  x->status = status;
  const bool head_request = x->access.request.method == "HEAD";
  const bool bodiless = head_request || status == 204 || status == 304 || status < 200;
  std::optional<std::uint64_t> length;
  if (plain) {
    length = plain->content_length;
  } else if (const auto parsed = parser->content_length()) {
    length = *parsed;
  }
  const bool chunk_to_client = !bodiless && !length && x->version == 11;
  const bool close_delimited = !bodiless && !length && x->version != 11;
  bool keep_alive = x->client_keep_alive && !x->close_connection && !close_delimited &&
                    !x->state->draining.load() && request_read_whole(*x);
  if (!keep_alive) x->close_connection = true;

  // The upstream's fields, from whichever parser read them: visit(name, value).
  const auto for_each_field = [&](auto visit) {
    if (plain) {
      for (const auto& [name, value] : plain->fields) visit(name, value);
    } else {
      for (const auto& field : parser->get()) visit(field.name_string(), field.value());
    }
  };
  HopByHop hop;
  for_each_field([&hop](std::string_view name, std::string_view value) { hop.note(name, value); });

  HeadWriter head(1024);
  head.add(x->version == 10 ? "HTTP/1.0 " : "HTTP/1.1 ");
  char number[24];
  head.add(std::string_view(number, std::to_chars(number, number + sizeof number, status).ptr));
  head.add(' ');
  std::string_view reason;
  if (plain) {
    reason = plain->reason;
  } else {
    const auto parsed = parser->get().reason();
    reason = std::string_view(parsed.data(), parsed.size());
  }
  head.add(reason.empty() ? reason_phrase(status) : reason);
  head.add("\r\n");
  for_each_field([&](std::string_view name, std::string_view value) {
    if (hop.drops(name) || (!head_request && iequals(name, "content-length"))) return;
    head.field(name, value);
  });
  for (const auto& h : x->access.response_headers) head.field(h.name, h.value);
  const auto whole_ms = [&number](std::optional<double> ms) {
    const auto value = static_cast<long long>(ms.value_or(0));
    return std::string_view(number, std::to_chars(number, number + sizeof number, value).ptr);
  };
  head.field("X-Kong-Upstream-Latency", whole_ms(x->upstream_ms));
  head.field("X-Kong-Proxy-Latency", whole_ms(x->kong_ms));
  head.field("Via", "1.1 bazaar-gateway");
  if (!bodiless && length) {
    const auto end = std::to_chars(number, number + sizeof number, *length).ptr;
    head.field("Content-Length", std::string_view(number, end));
  }
  if (chunk_to_client) head.field("Transfer-Encoding", "chunked");
  if (!keep_alive && x->version == 11) head.field("Connection", "close");
  if (keep_alive && x->version == 10) head.field("Connection", "keep-alive");
  head.add("\r\n");

  if (plain) co_return co_await relay_plain_body(x, upstream, buffer, plain, head.view());
  co_return co_await relay_parsed_body(x, upstream, buffer, parser, head.view(), bodiless,
                                       chunk_to_client);
}

}  // namespace

asio::awaitable<void> forward_to_upstream(Exchange* x) {
  const Snapshot& snap = *x->snapshot;
  const config::Service& service = snap.config.services[*x->match.service];
  Balancer* balancer = service.upstream ? snap.balancers[*service.upstream].get() : nullptr;
  const Request& req = x->access.request;
  const bool head_request = req.method == "HEAD";

  BodyMode mode = BodyMode::none;
  if (x->body_buffered) {
    if (!req.body.empty() || x->access.body_changed) mode = BodyMode::buffered;
  } else if (x->parser->chunked()) {
    mode = BodyMode::stream_chunked;
  } else {
    mode = BodyMode::stream_length;
  }
  // A request can be sent again only while its body is still ours to send.
  const bool replayable = mode == BodyMode::none || mode == BodyMode::buffered;
  const bool may_retry = is_idempotent(req.method);
  const int max_tries = 1 + std::max(0, service.retries);
  const auto connect_timeout = std::chrono::milliseconds(service.connect_timeout);
  const auto write_timeout = std::chrono::milliseconds(service.write_timeout);
  const auto read_timeout = std::chrono::milliseconds(service.read_timeout);
  auto executor = x->worker->ioc.get_executor();

  std::optional<GatewayResponse> failure;
  bool stale_retry_used = false;
  for (int attempt = 0; attempt < max_tries; ++attempt) {
    x->tries = attempt + 1;
    Target target;
    if (balancer != nullptr) {
      const auto pick = balancer->next();
      if (!pick) {
        failure = no_healthy_target();
        x->error = "no healthy target in upstream '" + balancer->upstream_name() + "'";
        break;
      }
      target = Target{pick->host, pick->port, pick->target};
    } else {
      target = Target{service.host, service.port, std::nullopt};
    }
    std::optional<tcp::endpoint> endpoint =
        known_endpoint(&x->worker->dns, target.host, target.port);
    if (!endpoint) endpoint = co_await resolve(&x->worker->dns, target.host, target.port);
    if (!endpoint) {
      failure = name_resolution_failed();
      x->error = "cannot resolve '" + target.host + "'";
      break;
    }
    const std::string endpoint_key = key_of(*endpoint);
    x->upstream_address = endpoint_key;

    std::unique_ptr<PlainStream> connection = x->worker->pool.take(endpoint_key);
    const bool reused = connection != nullptr;
    if (!connection) {
      auto fresh = std::make_unique<PlainStream>(tcp::socket(executor));
      fresh->expires_after(connect_timeout);
      const boost::system::error_code cec = co_await fresh->connect(*endpoint);
      if (cec) {
        const bool timed_out = cec == beast::error::timeout;
        if (target.balancer_target) {
          if (timed_out) {
            balancer->report_timeout(*target.balancer_target);
          } else {
            balancer->report_tcp_failure(*target.balancer_target);
          }
        }
        failure = timed_out ? upstream_timeout() : upstream_invalid_response();
        x->error = "connect to " + endpoint_key + ": " + cec.message();
        if (may_retry) continue;  // nothing was sent: the next try may pick another target
        break;
      }
      boost::system::error_code ignored;
      fresh->socket().set_option(tcp::no_delay(true), ignored);
      connection = std::move(fresh);
    }

    const Clock::time_point sent_at = Clock::now();
    x->kong_ms = std::chrono::duration<double, std::milli>(sent_at - x->start).count();
    const std::string head = build_request_head(*x, upstream_host_header(*x, target), mode);
    const std::array<asio::const_buffer, 2> pieces{piece(head), piece(req.body)};
    const std::span<const asio::const_buffer> head_and_body(pieces.data(),
                                                            mode == BodyMode::buffered ? 2 : 1);
    connection->expires_after(write_timeout);
    const IoResult wrote = co_await connection->write(head_and_body);
    if (wrote.ec) {
      if (reused && replayable && !stale_retry_used) {
        stale_retry_used = true;  // the kept-alive connection had died; once more on a new one
        --attempt;
        continue;
      }
      failure =
          wrote.ec == beast::error::timeout ? upstream_timeout() : upstream_invalid_response();
      x->error = "upstream write: " + wrote.ec.message();
      break;
    }
    if (mode == BodyMode::stream_length || mode == BodyMode::stream_chunked) {
      bool client_gone = false;
      auto body_failure = co_await stream_request_body(x, connection.get(), mode, &client_gone);
      if (body_failure) {
        failure = std::move(body_failure);
        if (client_gone) x->status = 400;
        break;
      }
    }

    beast::flat_buffer& upstream_buffer = connection->read_buffer();  // empty: see reusable
    ResponseHead response =
        co_await read_response_head(connection.get(), &upstream_buffer, read_timeout, head_request);
    if (response.ec) {
      if (response.ec == beast::error::timeout) {
        if (target.balancer_target) balancer->report_timeout(*target.balancer_target);
        failure = upstream_timeout();
        x->error = "upstream read timed out after " + std::to_string(service.read_timeout) + " ms";
        break;
      }
      if (reused && replayable && !response.received_anything && !stale_retry_used &&
          (response.ec == asio::error::eof || response.ec == asio::error::connection_reset)) {
        stale_retry_used = true;
        --attempt;
        continue;
      }
      if (target.balancer_target && !response.received_anything)
        balancer->report_tcp_failure(*target.balancer_target);
      failure = upstream_invalid_response();
      x->error = "upstream response: " + response.ec.message();
      break;
    }
    x->upstream_ms = std::chrono::duration<double, std::milli>(Clock::now() - sent_at).count();
    if (target.balancer_target)
      balancer->report_http_status(*target.balancer_target, response.status());
    if (response.status() == 101) {
      failure = upstream_invalid_response();  // Upgrade was not forwarded, so this is wrong
      x->error = "upstream switched protocols unasked";
      break;
    }
    const bool reusable = co_await relay_response(x, connection.get(), &upstream_buffer, &response);
    if (reusable) x->worker->pool.give_back(endpoint_key, std::move(connection));
    co_return;
  }
  if (!failure) failure = upstream_invalid_response();
  if (x->status == 400 && !x->error.empty() && x->error.starts_with("client")) {
    x->close_connection = true;  // the client went away mid-body: nobody to answer
    co_return;
  }
  co_await write_gateway_response(x, std::move(*failure));
}

}  // namespace bazaar::gateway::proxy
