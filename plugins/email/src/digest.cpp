#include "digest.hpp"

#include "ascii_text.hpp"

#include <openssl/sha.h>

namespace omnigate::email {

std::string sha256_hex(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return hex_lower(digest, sizeof digest);
}

}  // namespace omnigate::email
