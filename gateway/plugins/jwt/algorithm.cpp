#include "gateway/plugins/jwt/algorithm.hpp"

#include <array>
#include <utility>

namespace bazaar::gateway::jwt {
namespace {

constexpr std::array<std::pair<Algorithm, std::string_view>, 13> kNames{{
    {Algorithm::HS256, "HS256"},
    {Algorithm::HS384, "HS384"},
    {Algorithm::HS512, "HS512"},
    {Algorithm::RS256, "RS256"},
    {Algorithm::RS384, "RS384"},
    {Algorithm::RS512, "RS512"},
    {Algorithm::ES256, "ES256"},
    {Algorithm::ES384, "ES384"},
    {Algorithm::ES512, "ES512"},
    {Algorithm::PS256, "PS256"},
    {Algorithm::PS384, "PS384"},
    {Algorithm::PS512, "PS512"},
    {Algorithm::EdDSA, "EdDSA"},
}};

}  // namespace

std::optional<Algorithm> parse_algorithm(std::string_view name) {
  for (const auto& [alg, text] : kNames) {
    if (text == name) return alg;
  }
  return std::nullopt;
}

std::string_view to_string(Algorithm alg) {
  for (const auto& [a, text] : kNames) {
    if (a == alg) return text;
  }
  return "?";
}

bool is_hmac(Algorithm alg) {
  return alg == Algorithm::HS256 || alg == Algorithm::HS384 || alg == Algorithm::HS512;
}

}  // namespace bazaar::gateway::jwt
