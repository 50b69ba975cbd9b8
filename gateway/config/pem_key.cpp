#include "gateway/config/pem_key.hpp"

#include <openssl/decoder.h>
#include <openssl/evp.h>

namespace bazaar::gateway::config {

bool is_valid_pem_key(std::string_view pem) {
  EVP_PKEY* key = nullptr;
  OSSL_DECODER_CTX* decoder =
      OSSL_DECODER_CTX_new_for_pkey(&key, "PEM", nullptr, nullptr, 0, nullptr, nullptr);
  if (decoder == nullptr) return false;
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t length = pem.size();
  bool decoded = OSSL_DECODER_from_data(decoder, &data, &length) == 1 && key != nullptr;
  OSSL_DECODER_CTX_free(decoder);
  EVP_PKEY_free(key);
  return decoded;
}

}  // namespace bazaar::gateway::config
