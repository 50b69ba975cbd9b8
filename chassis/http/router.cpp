#include "chassis/http/router.hpp"

#include <stdexcept>

namespace bazaar::http {
namespace {
std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  if (!path.empty() && path[0] == '/') i = 1;
  while (i <= path.size()) {
    std::size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

bool is_placeholder(std::string_view s) {
  return s.size() > 2 && s.front() == '{' && s.back() == '}';
}
}  // namespace

void Router::add(std::string_view method, std::string_view pattern, Handler handler) {
  if (pattern.empty() || pattern[0] != '/') throw std::invalid_argument("route must start with /");
  Route r{std::string(method), std::string(pattern), {}, std::move(handler)};
  for (auto s : split_path(pattern)) r.segments.emplace_back(s);
  routes_.push_back(std::move(r));
}

Router::Match Router::match(std::string_view method, std::string_view path,
                            std::vector<std::pair<std::string, std::string>>& params) const {
  Match m;
  auto segs = split_path(path);
  for (const auto& r : routes_) {
    if (r.segments.size() != segs.size()) continue;
    bool ok = true;
    for (std::size_t i = 0; i < segs.size() && ok; ++i) {
      if (is_placeholder(r.segments[i])) {
        ok = !segs[i].empty();
      } else {
        ok = r.segments[i] == segs[i];
      }
    }
    if (!ok) continue;
    if (r.method != method) {
      if (m.status != 200) {
        m.status = 405;
        if (m.allow.find(r.method) == std::string::npos) {
          if (!m.allow.empty()) m.allow += ", ";
          m.allow += r.method;
        }
      }
      continue;
    }
    params.clear();
    for (std::size_t i = 0; i < segs.size(); ++i) {
      const auto& s = r.segments[i];
      if (is_placeholder(s)) params.emplace_back(s.substr(1, s.size() - 2), segs[i]);
    }
    m.handler = &r.handler;
    m.route = &r.pattern;
    m.status = 200;
    m.allow.clear();
    return m;
  }
  return m;
}

}  // namespace bazaar::http
