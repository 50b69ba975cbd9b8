#pragma once
// Routes by method and path template ("/users/{id}"). A path that matches a template under
// another method yields 405 with the Allow list; no template at all yields 404.
#include <string>
#include <string_view>
#include <vector>

#include "chassis/http/message.hpp"

namespace bazaar::http {

class Router {
 public:
  void add(std::string_view method, std::string_view pattern, Handler handler);

  struct Match {
    const Handler* handler = nullptr;  // null when status is 404 or 405
    const std::string* route = nullptr;
    int status = 404;
    std::string allow;  // for 405: "GET, POST"
  };
  // Fills `params` with the placeholders of the matched route.
  Match match(std::string_view method, std::string_view path,
              std::vector<std::pair<std::string, std::string>>& params) const;

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;  // "{name}" marks a placeholder
    Handler handler;
  };
  std::vector<Route> routes_;
};

// A route handler that calls the free coroutine `F(api, request)`: services keep their state
// in one struct and their handlers as plain functions (no capturing lambda coroutines).
template <auto F, class Api>
Handler bind(Api& api) {
  Api* p = &api;
  return [p](Request r) { return F(p, std::move(r)); };
}

}  // namespace bazaar::http
