// The original raw payload of a message (the provider's request, the whole e-mail) cannot be
// redacted reliably — its text is URL-, base64- or quoted-printable-encoded — so when a key is
// configured it is sealed instead (libsodium secretbox: XSalsa20-Poly1305), and only whoever holds
// the key can read it back.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::redaction {

inline constexpr std::string_view kSealedPrefix = "og-sealed-1:";
inline constexpr std::size_t kRawKeyBytes = 32;

// "og-sealed-1:" + nonce + ciphertext (bytes). `key` must be kRawKeyBytes long.
std::string seal_raw(std::string_view raw, std::string_view key);
// The original, or nullopt when `sealed` is not sealed with `key` (wrong key, altered bytes).
std::optional<std::string> open_raw(std::string_view sealed, std::string_view key);
bool is_sealed(std::string_view raw);

// A key from 64 hex digits; throws std::invalid_argument otherwise.
std::string raw_key_from_hex(std::string_view hex);

}  // namespace omnigate::redaction
