#pragma once
// The base of errors that the HTTP layer can turn into a precise status on its own: a
// transient failure (a database or peer that is down or slow) becomes 503 with Retry-After,
// anything else 500.
#include <stdexcept>

namespace bazaar {

struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
  virtual bool transient() const { return false; }
};

}  // namespace bazaar
