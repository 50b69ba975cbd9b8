#pragma once
// One broken rule of a request: which field, and why. Domain validation returns these; the
// HTTP layer answers them as 422 problem details listing every one.
#include <string>
#include <vector>

namespace bazaar {

struct FieldError {
  std::string field;
  std::string reason;
};
using FieldErrors = std::vector<FieldError>;

}  // namespace bazaar
