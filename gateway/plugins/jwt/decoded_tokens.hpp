#pragma once
// Tokens already decoded, remembered per thread. A client sends the same token with every
// request, and decoding it (base64 of some 500 characters, two JSON parses) was a sixth of
// the gateway's own work per request. Decoding is a pure function of the token's bytes, so a
// hit gives exactly what decoding again would; only tokens that decode are kept. Nothing here
// is trusted: the signature and the claims are still checked on every request.
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/plugins/jwt/token_decoder.hpp"

namespace bazaar::gateway::jwt {

class DecodedTokens {
 public:
  explicit DecodedTokens(std::size_t capacity = 1024) : capacity_(capacity) {}

  // The decoded token; nullptr when it does not decode, with the reason in `*error`. The
  // result stays valid while it is held, whatever the cache forgets meanwhile.
  std::shared_ptr<const DecodedToken> decode(std::string_view token, TokenDecodeError* error);
  // Full: everything is forgotten at once, as VerifiedSignatures does.
  std::size_t size() const { return entries_.size(); }

  // The calling thread's own cache: no locks on the request path.
  static DecodedTokens& of_this_thread();

 private:
  struct Entry {
    std::string token;     // what the decoded views point into
    DecodedToken decoded;  // decoded from `token`
  };
  std::size_t capacity_;
  std::unordered_map<std::string_view, std::shared_ptr<const Entry>> entries_;  // keys: token
};

}  // namespace bazaar::gateway::jwt
