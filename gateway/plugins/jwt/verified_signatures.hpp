#pragma once
// Public-key signatures already found valid, remembered per thread. An RS256 verification
// costs tens of microseconds — most of a gateway's per-request work — and a client sends the
// same token with every request until it expires. The cache holds the exact bytes that were
// verified (signing input and signature) with the identity of the key that verified them, so
// a token that differs in any byte, or a key from another configuration, misses it; claims
// (exp, nbf) are still checked on every request. Only valid results are kept: a forged
// token costs a verification each time, as without the cache.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>

namespace bazaar::gateway::jwt {

class VerifiedSignatures {
 public:
  explicit VerifiedSignatures(std::size_t capacity = 4096) : capacity_(capacity) {}

  bool contains(std::uint64_t key_id, std::string_view signing_input,
                std::string_view signature) const;
  // Full: everything is forgotten at once (cheaper than LRU bookkeeping on every hit, and
  // the working set of live tokens refills it in one pass).
  void remember(std::uint64_t key_id, std::string_view signing_input, std::string_view signature);
  std::size_t size() const { return entries_.size(); }

  // The calling thread's own cache: no locks on the request path.
  static VerifiedSignatures& of_this_thread();

 private:
  // The entry for a check, built in `scratch_` so that a lookup allocates nothing.
  const std::string& entry(std::uint64_t key_id, std::string_view signing_input,
                           std::string_view signature) const;
  std::size_t capacity_;
  std::unordered_set<std::string> entries_;
  mutable std::string scratch_;
};

}  // namespace bazaar::gateway::jwt
