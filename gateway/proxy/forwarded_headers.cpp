#include "gateway/proxy/forwarded_headers.hpp"

#include <charconv>

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

namespace {
// nginx's $host into `out` (reused, so no allocation for the usual short host).
void host_without_port_into(std::string_view host, std::string& out) {
  std::string_view name = host;
  if (!name.empty() && name.front() == '[') {  // [v6]:port
    const auto close = name.find(']');
    if (close != std::string_view::npos) name = name.substr(0, close + 1);
  } else if (const auto colon = name.rfind(':'); colon != std::string_view::npos) {
    name = name.substr(0, colon);
  }
  out.assign(name);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
}
}  // namespace

std::string host_without_port(std::string_view host) {
  std::string out;
  host_without_port_into(host, out);
  return out;
}

bool is_forwarded_header(std::string_view name) {
  // Every one of them starts with x: the usual header is turned away at the first letter.
  if (name.size() < 9 || (name[0] | 0x20) != 'x') return false;
  if (iequals(name, "x-real-ip")) return true;
  constexpr std::string_view kPrefix = "x-forwarded-";
  if (name.size() <= kPrefix.size() || !iequals(name.substr(0, kPrefix.size()), kPrefix))
    return false;
  const std::string_view rest = name.substr(kPrefix.size());
  for (std::string_view n : {"for", "proto", "host", "port", "path", "prefix"})
    if (iequals(rest, n)) return true;
  return false;
}

void emit_forwarded_headers(const std::vector<Header>& client_headers, const HopByHop& hop,
                            const ClientConnectionFacts& facts, ForwardedHeaderSink emit,
                            void* context) {
  // $proxy_add_x_forwarded_for: every X-Forwarded-For the client sent, joined, then the peer.
  std::string_view forwarded_for = facts.client_ip;
  std::string joined;
  for (const Header& h : client_headers) {
    if (!iequals(h.name, "x-forwarded-for") || hop.drops(h.name)) continue;
    joined.append(h.value).append(", ");
  }
  if (!joined.empty()) forwarded_for = joined.append(facts.client_ip);
  std::string host;
  host_without_port_into(facts.host, host);
  char port[8];
  const auto port_end = std::to_chars(port, port + sizeof port, facts.port).ptr;

  emit(context, "X-Real-IP", facts.client_ip);
  emit(context, "X-Forwarded-For", forwarded_for);
  emit(context, "X-Forwarded-Proto", facts.scheme);
  emit(context, "X-Forwarded-Host", host);
  emit(context, "X-Forwarded-Port", std::string_view(port, port_end - port));
  emit(context, "X-Forwarded-Path", facts.path);
  if (facts.stripped_prefix && !facts.stripped_prefix->empty())
    emit(context, "X-Forwarded-Prefix", *facts.stripped_prefix);
}

}  // namespace bazaar::gateway::proxy
