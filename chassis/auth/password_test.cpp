#include "chassis/auth/password.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <string>

namespace bazaar::auth {
namespace {

// The defaults cost ~19 MiB and tens of milliseconds per call; most tests do not need that.
const PasswordHasher& fast() {
  static const PasswordHasher h(PasswordParams{.opslimit = 1, .memlimit = 64 * 1024});
  return h;
}

TEST(PasswordHasher, DefaultParamsAreOwaspArgon2id) {
  PasswordHasher h;
  std::string stored = h.hash("correct horse battery staple");
  EXPECT_TRUE(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$")) << stored;
  EXPECT_TRUE(h.verify(stored, "correct horse battery staple"));
  EXPECT_FALSE(h.verify(stored, "correct horse battery stapler"));
}

TEST(PasswordHasher, HashThenVerify) {
  std::string stored = fast().hash("hunter2");
  EXPECT_TRUE(stored.starts_with("$argon2id$")) << stored;
  EXPECT_TRUE(fast().verify(stored, "hunter2"));
}

TEST(PasswordHasher, WrongPasswordIsFalse) {
  std::string stored = fast().hash("hunter2");
  EXPECT_FALSE(fast().verify(stored, "hunter3"));
  EXPECT_FALSE(fast().verify(stored, ""));
  EXPECT_FALSE(fast().verify(stored, "Hunter2"));
}

TEST(PasswordHasher, SamePasswordHashesDifferently) {
  EXPECT_NE(fast().hash("hunter2"), fast().hash("hunter2"));
}

TEST(PasswordHasher, PasswordsAreBinarySafe) {
  std::string with_nul("ab\0cd", 5);
  std::string stored = fast().hash(with_nul);
  EXPECT_TRUE(fast().verify(stored, with_nul));
  EXPECT_FALSE(fast().verify(stored, "ab"));
}

TEST(PasswordHasher, VerifyReadsParamsFromTheStoredHash) {
  // Hashes made before a parameter change must keep working.
  PasswordHasher stronger(PasswordParams{.opslimit = 2, .memlimit = 128 * 1024});
  EXPECT_TRUE(stronger.verify(fast().hash("hunter2"), "hunter2"));
}

TEST(PasswordHasher, GarbageStoredHashIsFalse) {
  std::string stored = fast().hash("hunter2");
  EXPECT_FALSE(fast().verify("", "hunter2"));
  EXPECT_FALSE(fast().verify("not a hash", "hunter2"));
  EXPECT_FALSE(fast().verify(stored.substr(0, stored.size() - 4), "hunter2"));
  EXPECT_FALSE(fast().verify(stored + std::string(1, '\0') + "junk", "hunter2"));
  EXPECT_FALSE(fast().verify(std::string(1000, 'a'), "hunter2"));
}

TEST(PasswordHasher, RejectsOutOfRangeParams) {
  EXPECT_THROW(PasswordHasher(PasswordParams{.opslimit = 0}), std::invalid_argument);
  EXPECT_THROW(PasswordHasher(PasswordParams{.opslimit = 1, .memlimit = 1024}),
               std::invalid_argument);
}

TEST(PasswordHasher, DummyVerifyCostsAboutAsMuchAsARealOne) {
  // Guards against the dummy path silently short-circuiting (say, on an unparsable dummy
  // hash), which would reopen user enumeration. The bound is loose so that it is not flaky.
  PasswordHasher h(PasswordParams{.opslimit = 1, .memlimit = 4 * 1024 * 1024});
  std::string stored = h.hash("hunter2");
  auto min_time = [](auto&& fn) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto start = std::chrono::steady_clock::now();
      fn();
      best = std::min(best, std::chrono::steady_clock::now() - start);
    }
    return best;
  };
  auto real = min_time([&] { EXPECT_FALSE(h.verify(stored, "wrong")); });
  auto dummy = min_time([&] { h.verify_dummy("wrong"); });
  EXPECT_GT(dummy * 4, real) << "dummy " << dummy.count() << " vs real " << real.count();
}

}  // namespace
}  // namespace bazaar::auth
