#include "gateway/proxy/hop_by_hop.hpp"

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

bool is_hop_by_hop(std::string_view name) {
  static constexpr std::string_view kNames[] = {"connection", "keep-alive",        "te",
                                                "trailer",    "transfer-encoding", "upgrade"};
  for (std::string_view n : kNames)
    if (iequals(name, n)) return true;
  return name.size() >= 6 && iequals(name.substr(0, 6), "proxy-");
}

void HopByHop::note(std::string_view name, std::string_view value) {
  if (!iequals(name, "connection")) return;
  for (std::string_view item : split_list(value)) listed_.emplace_back(item);
}

bool HopByHop::drops(std::string_view name) const {
  if (is_hop_by_hop(name)) return true;
  for (const std::string& n : listed_)
    if (iequals(name, n)) return true;
  return false;
}

}  // namespace bazaar::gateway::proxy
