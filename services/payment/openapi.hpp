#pragma once
#include <string_view>

namespace bazaar::payment {
// api/openapi.yaml, compiled in so that the binary serves the contract it was built with.
std::string_view openapi_yaml();
}  // namespace bazaar::payment
