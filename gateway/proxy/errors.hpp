#pragma once
// The answers the gateway itself gives, in Kong's words (kong/tools/http.lua and
// kong/error_handlers.lua BODIES, the runloop's exits): {"message":"..."} sent as
// `Content-Type: application/json; charset=utf-8`.
#include <string>
#include <string_view>
#include <vector>

#include "gateway/plugins/request.hpp"

namespace bazaar::gateway::proxy {

inline constexpr std::string_view kKongJsonContentType = "application/json; charset=utf-8";

struct GatewayResponse {
  int status = 500;
  std::string body;             // a complete JSON document
  std::vector<Header> headers;  // besides Content-Type / Content-Length
};

// {"message":"<text>"}, escaped as cjson does (the plugins' bodies use the same encoder).
std::string message_body(std::string_view message);

// Kong's default message for a status it generates without a more specific one, e.g.
// 400 "Bad request", 413 "Request Entity Too Large"; "The upstream server responded with
// <status>" for one Kong has no text for.
std::string_view default_message(int status);

GatewayResponse error_response(int status);  // default_message(status)
GatewayResponse error_response(int status, std::string_view message);

// The runloop's and balancer's specific answers.
GatewayResponse no_route_matched();           // 404 "no Route matched with those values"
GatewayResponse no_service_for_route();       // 503 "no Service found with those values"
GatewayResponse upstream_invalid_response();  // 502 "An invalid response was received ..."
GatewayResponse no_healthy_target();          // 503 "failure to get a peer from the ring-balancer"
GatewayResponse name_resolution_failed();     // 503 "name resolution failed"
GatewayResponse upstream_timeout();           // 504 "The upstream server is timing out"
GatewayResponse unexpected_error();           // 500 "An unexpected error occurred"

}  // namespace bazaar::gateway::proxy
