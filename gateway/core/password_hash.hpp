// Passwords as argon2id hashes through libsodium (crypto_pwhash_str): the salt and the cost
// travel inside the hash string, so a hash made with today's cost still verifies after the cost
// is raised. A password itself is never stored, logged or compared.
#pragma once

#include <string>
#include <string_view>

namespace omnigate {

// The argon2id hash ("$argon2id$v=19$m=...") of `password` at libsodium's interactive cost
// (64 MiB, about 0.1 s). Throws std::runtime_error when libsodium cannot initialise or the
// hashing runs out of memory.
std::string hash_password(std::string_view password);

// True when `password` is the one `hash` was made from; false for any other password and for a
// hash that is empty or not in crypto_pwhash_str format.
bool verify_password(const std::string& hash, std::string_view password);

// True for a string in crypto_pwhash_str's argon2id format (what the config's password_hash
// must hold).
bool is_password_hash(std::string_view text);

// Spends the time of one verification without a user: unknown names cost what known ones do.
void verify_password_of_nobody(std::string_view password);

}  // namespace omnigate
