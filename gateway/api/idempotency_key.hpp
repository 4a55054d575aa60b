// The Idempotency-Key header of POST /conversations/{id}/reply. The store keeps the key with the
// reply (messages.client_key, unique per author), so a retry after a lost response or a gateway
// restart gets the first reply back instead of sending a second one (docs/api.md).
#pragma once

#include "api/request_body.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace omnigate::api {

inline constexpr std::size_t kMaxIdempotencyKeyBytes = 255;

// The key when it is 1..255 printable ASCII characters (space to '~'); otherwise a 400 naming
// the header. The limits are those of common Idempotency-Key conventions (Stripe: 255); they keep
// the stored key (an indexed TEXT column) small and free of control bytes.
Parsed<std::string> parse_idempotency_key(std::string_view header_value);

}  // namespace omnigate::api
