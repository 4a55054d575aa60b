#include "api/access_token.hpp"

#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace omnigate::api {

std::string generate_access_token() {
  std::array<unsigned char, 32> bytes{};
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("no secure randomness for a new token (OpenSSL RAND_bytes failed)");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  token.reserve(bytes.size() * 2);
  for (const unsigned char b : bytes) {
    token.push_back(kHex[b >> 4]);
    token.push_back(kHex[b & 0x0f]);
  }
  return token;
}

}  // namespace omnigate::api
