#include "gateway/proxy/errors.hpp"

#include "gateway/plugins/jwt/response_body.hpp"

namespace bazaar::gateway::proxy {

std::string message_body(std::string_view message) { return jwt::message_body(message); }

std::string_view default_message(int status) {
  // kong/error_handlers.lua BODIES (Kong 3.x).
  switch (status) {
    case 400:
      return "Bad request";
    case 404:
      return "Not found";
    case 405:
      return "Method not allowed";
    case 408:
      return "Request timeout";
    case 411:
      return "Length required";
    case 412:
      return "Precondition failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "URI too long";
    case 417:
      return "Expectation failed";
    case 426:
      return "Upgrade required";
    case 429:
      return "Too many requests";
    case 431:
      return "Request header or cookie too large";
    case 494:
      return "Request header or cookie too large";
    case 500:
      return "An unexpected error occurred";
    case 501:
      return "Not Implemented";
    case 502:
      return "An invalid response was received from the upstream server";
    case 503:
      return "The upstream server is currently unavailable";
    case 504:
      return "The upstream server is timing out";
    default:
      return "The upstream server responded with an error";
  }
}

GatewayResponse error_response(int status) {
  return error_response(status, default_message(status));
}

GatewayResponse error_response(int status, std::string_view message) {
  return GatewayResponse{status, message_body(message), {}};
}

GatewayResponse no_route_matched() {
  return error_response(404, "no Route matched with those values");
}
GatewayResponse no_service_for_route() {
  return error_response(503, "no Service found with those values");
}
GatewayResponse upstream_invalid_response() { return error_response(502); }
GatewayResponse no_healthy_target() {
  return error_response(503, "failure to get a peer from the ring-balancer");
}
GatewayResponse name_resolution_failed() { return error_response(503, "name resolution failed"); }
GatewayResponse upstream_timeout() { return error_response(504); }
GatewayResponse unexpected_error() { return error_response(500); }

}  // namespace bazaar::gateway::proxy
