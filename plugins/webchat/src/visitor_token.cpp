#include "visitor_token.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <cctype>
#include <stdexcept>

namespace omnigate::webchat {
namespace {

constexpr std::size_t kSessionHexChars = 32;  // 128 random bits
constexpr std::size_t kMacHexChars = 32;      // 128 bits of the HMAC: enough against forgery

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(size * 2, '0');
  for (std::size_t i = 0; i < size; ++i) {
    out[2 * i] = digits[data[i] >> 4];
    out[2 * i + 1] = digits[data[i] & 0xf];
  }
  return out;
}

bool equal_constant_time(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool lower_hex(std::string_view s) {
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size) == nullptr)
    throw std::runtime_error("HMAC-SHA256 failed");
  return to_hex(mac, size);
}

std::string random_hex(std::size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1)
    throw std::runtime_error("no random bytes from OpenSSL");
  return to_hex(reinterpret_cast<const unsigned char*>(raw.data()), bytes);
}

VisitorTokens::VisitorTokens(std::string secret, std::string identity_secret)
    : secret_(std::move(secret)), identity_secret_(std::move(identity_secret)) {}

std::string VisitorTokens::issue() const {
  const std::string session = random_hex(kSessionHexChars / 2);
  return session + "." + hmac_sha256_hex(secret_, "visitor:" + session).substr(0, kMacHexChars);
}

std::optional<std::string> VisitorTokens::session_of(std::string_view token) const {
  if (token.size() != kSessionHexChars + 1 + kMacHexChars || token[kSessionHexChars] != '.')
    return std::nullopt;
  const std::string session(token.substr(0, kSessionHexChars));
  if (!lower_hex(session)) return std::nullopt;
  const auto expected = hmac_sha256_hex(secret_, "visitor:" + session).substr(0, kMacHexChars);
  if (!equal_constant_time(token.substr(kSessionHexChars + 1), expected)) return std::nullopt;
  return session;
}

bool VisitorTokens::identity_verified(std::string_view id, std::string_view hash) const {
  if (identity_secret_.empty() || hash.size() != 64) return false;
  std::string lowered(hash);
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return equal_constant_time(lowered, hmac_sha256_hex(identity_secret_, id));
}

}  // namespace omnigate::webchat
