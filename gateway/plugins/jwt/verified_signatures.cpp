#include "gateway/plugins/jwt/verified_signatures.hpp"

namespace bazaar::gateway::jwt {

const std::string& VerifiedSignatures::entry(std::uint64_t key_id, std::string_view signing_input,
                                             std::string_view signature) const {
  std::string& e = scratch_;
  e.clear();
  e.append(reinterpret_cast<const char*>(&key_id), sizeof key_id);
  e.append(signing_input);
  e.push_back('.');  // the signing input never holds a second '.', so the split is unique
  e.append(signature);
  return e;
}

bool VerifiedSignatures::contains(std::uint64_t key_id, std::string_view signing_input,
                                  std::string_view signature) const {
  return entries_.contains(entry(key_id, signing_input, signature));
}

void VerifiedSignatures::remember(std::uint64_t key_id, std::string_view signing_input,
                                  std::string_view signature) {
  if (entries_.size() >= capacity_) entries_.clear();
  entries_.insert(entry(key_id, signing_input, signature));
}

VerifiedSignatures& VerifiedSignatures::of_this_thread() {
  thread_local VerifiedSignatures cache;
  return cache;
}

}  // namespace bazaar::gateway::jwt
