#include "gateway/plugins/jwt/response_body.hpp"

namespace bazaar::gateway::jwt {

std::string cjson_string(std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(text.size() + 2);
  out.push_back('"');
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '/':
        out += "\\/";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          out += "\\u00";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(ch);
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string message_body(std::string_view message) {
  return "{\"message\":" + cjson_string(message) + "}";
}

std::string errors_body(const ClaimErrors& errors) {
  std::string out = "{";
  for (const auto& [claim, message] : errors) {
    if (out.size() > 1) out.push_back(',');
    out += cjson_string(claim) + ":" + cjson_string(message);
  }
  out.push_back('}');
  return out;
}

}  // namespace bazaar::gateway::jwt
