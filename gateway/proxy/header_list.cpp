#include "gateway/proxy/header_list.hpp"

#include <algorithm>

namespace bazaar::gateway::proxy {

std::size_t count(const std::vector<Header>& headers, std::string_view name) {
  return static_cast<std::size_t>(std::count_if(
      headers.begin(), headers.end(), [&](const Header& h) { return iequals(h.name, name); }));
}

void remove_all(std::vector<Header>& headers, std::string_view name) {
  std::erase_if(headers, [&](const Header& h) { return iequals(h.name, name); });
}

void set_header(std::vector<Header>& headers, std::string_view name, std::string value) {
  remove_all(headers, name);
  headers.push_back({std::string(name), std::move(value)});
}

std::vector<std::string_view> split_list(std::string_view value) {
  std::vector<std::string_view> items;
  for_each_list_item(value, [&items](std::string_view item) { items.push_back(item); });
  return items;
}

}  // namespace bazaar::gateway::proxy
