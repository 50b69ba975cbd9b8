#include "gateway/config/route_regex.hpp"

namespace bazaar::gateway::config {
namespace {

// Rust's regex has neither `.` matching newlines nor multi-line `^`/`$` by default.
constexpr auto kFlags = boost::regex::perl | boost::regex::no_mod_s | boost::regex::no_mod_m;

std::string to_boost_syntax(std::string_view pattern) {
  std::string out(pattern);
  for (auto at = out.find("(?P<"); at != std::string::npos; at = out.find("(?P<", at)) {
    out.erase(at + 2, 1);
  }
  return out;
}

// The ATC router rejects what the Rust regex crate lacks: look-around and backreferences.
std::optional<std::string> unsupported_construct(std::string_view p) {
  bool in_class = false;
  for (std::size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\\' && i + 1 < p.size()) {
      char next = p[i + 1];
      if (!in_class && ((next >= '1' && next <= '9') || next == 'k' || next == 'g')) {
        return "backreferences are not supported";
      }
      ++i;
    } else if (c == '[') {
      in_class = true;
    } else if (c == ']') {
      in_class = false;
    } else if (!in_class && c == '(' && p.substr(i).starts_with("(?")) {
      auto rest = p.substr(i + 2);
      if (rest.starts_with("=") || rest.starts_with("!") || rest.starts_with("<=") ||
          rest.starts_with("<!")) {
        return "look-around is not supported";
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> regex_error(std::string_view pattern) {
  if (auto unsupported = unsupported_construct(pattern)) return unsupported;
  try {
    compile_path_regex(pattern);
  } catch (const boost::regex_error& e) {
    return std::string(e.what());
  }
  return std::nullopt;
}

boost::regex compile_path_regex(std::string_view pattern) {
  return boost::regex("^" + to_boost_syntax(pattern), kFlags);
}

boost::regex compile_header_regex(std::string_view pattern) {
  return boost::regex(to_boost_syntax(pattern), kFlags);
}

}  // namespace bazaar::gateway::config
