// Standard base64 (RFC 4648 alphabet, with padding) through OpenSSL, already linked for SHA-256:
// how raw inputs carry bytes that are not text inside JSON (the quarantine, crash records).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace omnigate {

std::string base64_encode(std::string_view bytes);
// Only canonical base64 — exactly what base64_encode writes — is accepted; nullopt otherwise.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace omnigate
