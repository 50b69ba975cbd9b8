#include "chassis/http/message.hpp"

#include <strings.h>
#include <boost/json/serialize.hpp>
#include <boost/url/decode_view.hpp>
#include <boost/url/params_encoded_view.hpp>

namespace bazaar::http {

std::string_view find_header(const Headers& headers, std::string_view name) {
  for (const auto& [k, v] : headers)
    if (k.size() == name.size() && ::strncasecmp(k.data(), name.data(), k.size()) == 0) return v;
  return {};
}

std::string_view Request::param(std::string_view name) const {
  for (const auto& [k, v] : params)
    if (k == name) return v;
  return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
  boost::urls::params_encoded_view params(query);
  for (auto p : params) {
    if (p.key != name) continue;
    std::string out;
    if (p.has_value) {
      auto decoded = boost::urls::make_pct_string_view(p.value);
      if (!decoded) return std::string();
      boost::urls::decode_view dv = **decoded;
      out.assign(dv.begin(), dv.end());
    }
    return out;
  }
  return std::nullopt;
}

Response Response::json(int status, const boost::json::value& body) {
  Response r;
  r.status = status;
  r.body = boost::json::serialize(body);
  return r;
}

Response Response::text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.content_type = std::move(content_type);
  r.body = std::move(body);
  return r;
}

Response Response::empty(int status) {
  Response r;
  r.status = status;
  r.content_type.clear();
  return r;
}

Response problem(int status, std::string_view detail, boost::json::object extra) {
  boost::json::object o;
  o["type"] = "about:blank";
  o["title"] = reason_phrase(status);
  o["status"] = status;
  o["detail"] = detail;
  for (auto& kv : extra) o[kv.key()] = std::move(kv.value());
  Response r = Response::json(status, o);
  r.content_type = "application/problem+json";
  return r;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Content";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace bazaar::http
