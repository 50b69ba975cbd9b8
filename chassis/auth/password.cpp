#include "chassis/auth/password.hpp"

#include <sodium.h>

#include <array>
#include <stdexcept>
#include <string>

namespace bazaar::auth {

PasswordHasher::PasswordHasher(PasswordParams p) : params_(p) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium initialisation failed");
  if (p.opslimit < crypto_pwhash_argon2id_OPSLIMIT_MIN ||
      p.opslimit > crypto_pwhash_argon2id_OPSLIMIT_MAX) {
    throw std::invalid_argument("argon2id opslimit " + std::to_string(p.opslimit) +
                                " is out of range");
  }
  if (p.memlimit < crypto_pwhash_argon2id_MEMLIMIT_MIN ||
      p.memlimit > crypto_pwhash_argon2id_MEMLIMIT_MAX) {
    throw std::invalid_argument("argon2id memlimit " + std::to_string(p.memlimit) +
                                " is out of range");
  }
  // A random 32-byte secret that is then forgotten, so no input can match the dummy hash.
  std::array<unsigned char, 32> secret{};
  randombytes_buf(secret.data(), secret.size());
  dummy_hash_ = hash(std::string_view(reinterpret_cast<const char*>(secret.data()), secret.size()));
  sodium_memzero(secret.data(), secret.size());
}

std::string PasswordHasher::hash(std::string_view password) const {
  if (password.size() > crypto_pwhash_PASSWD_MAX) throw std::invalid_argument("password too long");
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), params_.opslimit,
                            params_.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("argon2id hashing failed (out of memory?)");
  }
  return std::string(out.data());
}

bool PasswordHasher::verify(std::string_view stored_hash, std::string_view password) const {
  // libsodium reads a NUL-terminated string; an embedded NUL would let trailing junk pass.
  if (stored_hash.size() >= crypto_pwhash_STRBYTES ||
      stored_hash.find('\0') != std::string_view::npos) {
    return false;
  }
  std::array<char, crypto_pwhash_STRBYTES> str{};
  stored_hash.copy(str.data(), stored_hash.size());
  return crypto_pwhash_str_verify(str.data(), password.data(), password.size()) == 0;
}

void PasswordHasher::verify_dummy(std::string_view password) const {
  // The result is discarded on purpose; only the time spent matters.
  static_cast<void>(verify(dummy_hash_, password));
}

}  // namespace bazaar::auth
