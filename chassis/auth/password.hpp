#pragma once
// Password hashing with argon2id (libsodium). Hashes are self-describing PHC strings, so
// parameters can be raised later without invalidating stored hashes.
#include <cstddef>
#include <string>
#include <string_view>

namespace bazaar::auth {

// Defaults are the OWASP Password Storage Cheat Sheet minimum for argon2id: 19 MiB, t=2, p=1.
struct PasswordParams {
  unsigned long long opslimit = 2;
  std::size_t memlimit = 19 * 1024 * 1024;
};

// All member functions are const and safe to call from several threads at once. Each hash or
// verify allocates `memlimit` bytes for its duration, so concurrency bounds memory use.
class PasswordHasher {
 public:
  // Throws std::runtime_error if libsodium cannot be initialised and std::invalid_argument if
  // the params are outside what libsodium's argon2id accepts.
  explicit PasswordHasher(PasswordParams p = {});

  // Returns "$argon2id$v=19$m=...,t=...,p=1$<salt>$<hash>" with a fresh random salt.
  // Throws std::runtime_error if the hash cannot be computed (in practice: out of memory).
  std::string hash(std::string_view password) const;

  // False for a wrong password and for a stored hash that is not a valid argon2 string.
  bool verify(std::string_view stored_hash, std::string_view password) const;

  // Does the same work as verify() against a hash that never matches; used when the e-mail
  // is unknown so that login timing does not reveal whether a user exists. The work matches
  // only for stored hashes made with this hasher's params.
  void verify_dummy(std::string_view password) const;

 private:
  PasswordParams params_;
  std::string dummy_hash_;
};

}  // namespace bazaar::auth
