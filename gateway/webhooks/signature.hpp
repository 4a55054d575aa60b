// How a delivery is signed (docs/api.md "Verifying a delivery"), Stripe's scheme: the header
// `Omnigate-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`. The timestamp
// is inside the MAC, so a receiver that also checks it is recent refuses replays of old bodies.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace omnigate::webhooks {

// Lower-case hex of HMAC-SHA256(key, message).
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The Omnigate-Signature header value for `body` sent at `unix_seconds`.
std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

}  // namespace omnigate::webhooks
