#include "gateway/proxy/forwarded_headers.hpp"

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

std::string host_without_port(std::string_view host) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {  // [v6]:port
    const auto close = name.find(']');
    if (close != std::string_view::npos) name = name.substr(0, close + 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  std::string out(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

void apply_forwarded_headers(std::vector<Header>& headers, const ClientConnectionFacts& facts) {
  // $proxy_add_x_forwarded_for: every X-Forwarded-For the client sent, joined, then the peer.
  std::string forwarded_for;
  for (const Header& h : headers) {
    if (!iequals(h.name, "x-forwarded-for")) continue;
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += h.value;
  }
  if (!forwarded_for.empty()) forwarded_for += ", ";
  forwarded_for += facts.client_ip;

  set_header(headers, "X-Real-IP", facts.client_ip);
  set_header(headers, "X-Forwarded-For", std::move(forwarded_for));
  set_header(headers, "X-Forwarded-Proto", facts.scheme);
  set_header(headers, "X-Forwarded-Host", host_without_port(facts.host));
  set_header(headers, "X-Forwarded-Port", std::to_string(facts.port));
  set_header(headers, "X-Forwarded-Path", facts.path);
  if (facts.stripped_prefix && !facts.stripped_prefix->empty()) {
    set_header(headers, "X-Forwarded-Prefix", *facts.stripped_prefix);
  } else {
    remove_all(headers, "X-Forwarded-Prefix");
  }
}

}  // namespace bazaar::gateway::proxy
