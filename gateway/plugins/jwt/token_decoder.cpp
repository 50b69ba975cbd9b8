#include "gateway/plugins/jwt/token_decoder.hpp"

#include <boost/json.hpp>
#include <optional>

#include "gateway/plugins/jwt/kong_base64.hpp"

namespace bazaar::gateway::jwt {
namespace json = boost::json;

namespace {

TokenDecodeError bad(std::string reason) {
  return {TokenDecodeError::Kind::bad_token, std::move(reason)};
}

std::optional<json::value> decode_json_segment(std::string_view segment) {
  std::optional<std::string> text = kong_base64_decode(segment);
  if (!text) return std::nullopt;
  return parse_json_like_cjson(*text);
}

}  // namespace

std::optional<json::value> parse_json_like_cjson(std::string_view text) {
  json::parse_options options;
  options.max_depth = 1000;           // cjson's decode_max_depth default
  options.allow_invalid_utf8 = true;  // cjson does not validate UTF-8
  json::error_code ec;
  json::value v = json::parse(text, ec, {}, options);
  if (ec) return std::nullopt;
  return v;
}

std::variant<DecodedToken, TokenDecodeError> decode_token(std::string_view token) {
  const std::size_t dot1 = token.find('.');
  const std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  // A missing segment makes jwt_parser.lua call base64_decode(nil), an error inside its pcall,
  // reported like undecodable JSON.
  if (dot2 == std::string_view::npos) return bad("invalid JSON");

  // Decoded inside one pcall in Kong: any failure of the first two is "invalid JSON", while an
  // undecodable signature only yields nil, checked last.
  std::optional<json::value> header = decode_json_segment(token.substr(0, dot1));
  if (!header) return bad("invalid JSON");
  std::optional<json::value> claims = decode_json_segment(token.substr(dot1 + 1, dot2 - dot1 - 1));
  if (!claims) return bad("invalid JSON");
  std::optional<std::string> signature = kong_base64_decode(token.substr(dot2 + 1));

  // `header.alg` in Lua: an object or array is indexed (an array has no "alg"), a string indexes
  // the string library (no "alg" either), and any other value raises an error.
  if (!header->is_object() && !header->is_array() && !header->is_string()) {
    return TokenDecodeError{TokenDecodeError::Kind::unexpected_error, "header is not indexable"};
  }
  const json::value* alg = header->is_object() ? header->as_object().if_contains("alg") : nullptr;
  std::optional<Algorithm> algorithm;
  if (alg != nullptr && alg->is_string()) algorithm = parse_algorithm(alg->get_string());
  if (!algorithm) return bad("invalid alg");

  if (claims->is_bool() && !claims->get_bool()) return bad("invalid claims");  // `not claims`
  if (!signature) return bad("invalid signature");

  return DecodedToken{token.substr(0, dot2), std::move(header->as_object()), std::move(*claims),
                      std::move(*signature), *algorithm};
}

}  // namespace bazaar::gateway::jwt
