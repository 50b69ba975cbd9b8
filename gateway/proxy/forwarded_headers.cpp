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

bool is_forwarded_header(std::string_view name) {
  if (iequals(name, "x-real-ip")) return true;
  constexpr std::string_view kPrefix = "x-forwarded-";
  if (name.size() <= kPrefix.size() || !iequals(name.substr(0, kPrefix.size()), kPrefix))
    return false;
  const std::string_view rest = name.substr(kPrefix.size());
  for (std::string_view n : {"for", "proto", "host", "port", "path", "prefix"})
    if (iequals(rest, n)) return true;
  return false;
}

std::vector<Header> forwarded_headers(const std::vector<Header>& client_headers,
                                      const HopByHop& hop, const ClientConnectionFacts& facts) {
  // $proxy_add_x_forwarded_for: every X-Forwarded-For the client sent, joined, then the peer.
  std::string forwarded_for;
  for (const Header& h : client_headers) {
    if (!iequals(h.name, "x-forwarded-for") || hop.drops(h.name)) continue;
    forwarded_for.append(h.value).append(", ");
  }
  forwarded_for += facts.client_ip;

  std::vector<Header> out;
  out.reserve(7);
  out.push_back({"X-Real-IP", std::string(facts.client_ip)});
  out.push_back({"X-Forwarded-For", std::move(forwarded_for)});
  out.push_back({"X-Forwarded-Proto", std::string(facts.scheme)});
  out.push_back({"X-Forwarded-Host", host_without_port(facts.host)});
  out.push_back({"X-Forwarded-Port", std::to_string(facts.port)});
  out.push_back({"X-Forwarded-Path", std::string(facts.path)});
  if (facts.stripped_prefix && !facts.stripped_prefix->empty())
    out.push_back({"X-Forwarded-Prefix", std::string(*facts.stripped_prefix)});
  return out;
}

}  // namespace bazaar::gateway::proxy
