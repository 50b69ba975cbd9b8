#include "gateway/plugins/jwt/decoded_tokens.hpp"

#include <utility>
#include <variant>

namespace bazaar::gateway::jwt {

std::shared_ptr<const DecodedToken> DecodedTokens::decode(std::string_view token,
                                                          TokenDecodeError* error) {
  if (const auto found = entries_.find(token); found != entries_.end()) {
    return {found->second, &found->second->decoded};
  }
  auto entry = std::make_shared<Entry>();
  entry->token = std::string(token);
  auto decoded = decode_token(entry->token);  // views into the entry's own copy
  if (auto* failure = std::get_if<TokenDecodeError>(&decoded)) {
    *error = std::move(*failure);
    return nullptr;
  }
  entry->decoded = std::move(std::get<DecodedToken>(decoded));
  if (entries_.size() >= capacity_) entries_.clear();
  std::shared_ptr<const Entry> kept = std::move(entry);
  entries_.emplace(kept->token, kept);
  return {kept, &kept->decoded};
}

DecodedTokens& DecodedTokens::of_this_thread() {
  thread_local DecodedTokens cache;
  return cache;
}

}  // namespace bazaar::gateway::jwt
