#include "gateway/proxy/hop_by_hop.hpp"

#include "gateway/proxy/header_list.hpp"

namespace bazaar::gateway::proxy {

bool is_hop_by_hop(std::string_view name) {
  // By length first: most names are of none of these lengths and cost one switch.
  switch (name.size()) {
    case 2:
      return iequals(name, "te");
    case 7:
      return iequals(name, "trailer") || iequals(name, "upgrade");
    case 10:
      return iequals(name, "connection") || iequals(name, "keep-alive");
    case 17:
      return iequals(name, "transfer-encoding");
    default:
      break;
  }
  return name.size() >= 6 && iequals(name.substr(0, 6), "proxy-");
}

void HopByHop::note(std::string_view name, std::string_view value) {
  if (!iequals(name, "connection")) return;
  // The fixed names are dropped anyway; only others are worth keeping (usually none, as
  // in the common "Connection: keep-alive").
  for_each_list_item(value, [this](std::string_view item) {
    if (!is_hop_by_hop(item)) listed_.emplace_back(item);
  });
}

bool HopByHop::drops(std::string_view name) const {
  if (is_hop_by_hop(name)) return true;
  if (listed_.empty()) return false;
  for (const std::string& n : listed_)
    if (iequals(name, n)) return true;
  return false;
}

}  // namespace bazaar::gateway::proxy
