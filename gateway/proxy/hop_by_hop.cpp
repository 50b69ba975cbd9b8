#include "gateway/proxy/hop_by_hop.hpp"

#include <string>

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::string_view kNames[] = {"connection", "keep-alive",        "te",
                                                "trailer",    "transfer-encoding", "upgrade"};
  for (std::string_view n : kNames)
    if (iequals(name, n)) return true;
  return name.size() >= 6 && iequals(name.substr(0, 6), "proxy-");
}

void remove_hop_by_hop(std::vector<Header>& headers) {
  std::vector<std::string> named;
  for (const Header& h : headers)
    if (iequals(h.name, "connection"))
      for (std::string_view item : split_list(h.value)) named.emplace_back(item);
  std::erase_if(headers, [&](const Header& h) {
    if (is_hop_by_hop(h.name)) return true;
    for (const std::string& n : named)
      if (iequals(h.name, n)) return true;
    return false;
  });
}

}  // namespace bazaar::gateway::proxy
