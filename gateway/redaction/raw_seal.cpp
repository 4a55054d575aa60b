#include "redaction/raw_seal.hpp"

#include <sodium.h>

#include <stdexcept>

namespace omnigate::redaction {
namespace {

const unsigned char* bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}

void require_key(std::string_view key) {
  if (key.size() != kRawKeyBytes) throw std::invalid_argument("the raw key must be 32 bytes");
  if (sodium_init() < 0) throw std::runtime_error("libsodium could not be initialised");
}

}  // namespace

std::string seal_raw(std::string_view raw, std::string_view key) {
  require_key(key);
  std::string out(kSealedPrefix);
  const std::size_t head = out.size();
  out.resize(head + crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + raw.size());
  auto* nonce = reinterpret_cast<unsigned char*>(out.data() + head);
  randombytes_buf(nonce, crypto_secretbox_NONCEBYTES);
  crypto_secretbox_easy(nonce + crypto_secretbox_NONCEBYTES, bytes(raw), raw.size(), nonce,
                        bytes(key));
  return out;
}

std::optional<std::string> open_raw(std::string_view sealed, std::string_view key) {
  require_key(key);
  if (!is_sealed(sealed)) return std::nullopt;
  sealed.remove_prefix(kSealedPrefix.size());
  if (sealed.size() < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES) return std::nullopt;
  const auto* nonce = bytes(sealed);
  const std::size_t boxed = sealed.size() - crypto_secretbox_NONCEBYTES;
  std::string out(boxed - crypto_secretbox_MACBYTES, '\0');
  if (crypto_secretbox_open_easy(reinterpret_cast<unsigned char*>(out.data()),
                                 nonce + crypto_secretbox_NONCEBYTES, boxed, nonce,
                                 bytes(key)) != 0)
    return std::nullopt;
  return out;
}

bool is_sealed(std::string_view raw) {
  return raw.substr(0, kSealedPrefix.size()) == kSealedPrefix;
}

std::string raw_key_from_hex(std::string_view hex) {
  std::string key(kRawKeyBytes, '\0');
  std::size_t written = 0;
  if (hex.size() != 2 * kRawKeyBytes ||
      sodium_hex2bin(reinterpret_cast<unsigned char*>(key.data()), key.size(), hex.data(),
                     hex.size(), nullptr, &written, nullptr) != 0 ||
      written != kRawKeyBytes)
    throw std::invalid_argument("the raw key must be 64 hex digits (32 bytes)");
  return key;
}

}  // namespace omnigate::redaction
