#include "core/password_hash.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;

TEST_CASE("a password is stored as a salted argon2id hash that only it verifies") {
  const std::string hash = hash_password("correct horse battery");
  CHECK(hash.rfind("$argon2id$", 0) == 0);
  CHECK(hash.find("correct horse") == std::string::npos);
  CHECK(is_password_hash(hash));
  CHECK(verify_password(hash, "correct horse battery"));
  CHECK_FALSE(verify_password(hash, "correct horse batterY"));
  CHECK_FALSE(verify_password(hash, ""));
  // A fresh salt each time: two users with one password have different hashes.
  const std::string again = hash_password("correct horse battery");
  CHECK(again != hash);
  CHECK(verify_password(again, "correct horse battery"));
}

TEST_CASE("what is not an argon2id hash verifies nothing") {
  CHECK_FALSE(verify_password("", "anything"));
  CHECK_FALSE(verify_password("correct horse battery", "correct horse battery"));  // plain text
  CHECK_FALSE(is_password_hash("$argon2i$v=19$m=4096,t=3,p=1$c2FsdA$aGFzaA"));     // not argon2id
  CHECK_FALSE(is_password_hash(std::string(200, 'x')));
  std::string hash = hash_password("correct horse battery");
  hash.back() = hash.back() == 'A' ? 'B' : 'A';  // a damaged digest
  CHECK_FALSE(verify_password(hash, "correct horse battery"));
}
