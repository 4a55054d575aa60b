#include "core/password_hash.hpp"

#include <sodium.h>

#include <stdexcept>

namespace omnigate {

namespace {

void require_sodium() {
  // sodium_init is thread-safe and idempotent: 0 first time, 1 afterwards, -1 on failure.
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string hash_password(std::string_view password) {
  require_sodium();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(out, password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    throw std::runtime_error("hashing a password ran out of memory");
  return out;
}

bool verify_password(const std::string& hash, std::string_view password) {
  if (!is_password_hash(hash)) return false;
  require_sodium();
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

bool is_password_hash(std::string_view text) {
  constexpr std::string_view kPrefix = crypto_pwhash_argon2id_STRPREFIX;
  return text.size() < crypto_pwhash_STRBYTES && text.substr(0, kPrefix.size()) == kPrefix;
}

void verify_password_of_nobody(std::string_view password) {
  static const std::string kNobody = hash_password("no user has this password");
  verify_password(kNobody, password);
}

}  // namespace omnigate
