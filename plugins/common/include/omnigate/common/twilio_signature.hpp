// Twilio request signatures (X-Twilio-Signature), used by SMS and voice webhooks alike:
//   base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...))
// where url is the full URL Twilio requested (scheme, host, port if any, path and query) and
// the POST parameters are sorted by name in byte order (Unix-style, case-sensitive).
// https://www.twilio.com/docs/usage/webhooks/webhooks-security
#pragma once

#include <omnigate/common/form.hpp>

#include <string>
#include <string_view>

namespace omnigate::twilio {

// The signature Twilio computes for a POST to `url` with `params`. Repeated names are each
// included; pairs with the same name are ordered by value so the result is deterministic.
std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form::Fields& params);

// True when `signature` matches `url` as given, or `url` with the scheme's default port added
// (https :443, http :80) when it has none, or with the default port removed when it has it:
// Twilio signs whichever form it used to reach us and documents that validators try both.
// The comparison is constant-time (CRYPTO_memcmp); an empty signature never matches.
bool signature_matches(std::string_view auth_token, std::string_view url,
                       const form::Fields& params, std::string_view signature);

}  // namespace omnigate::twilio
