// Twilio request signatures (X-Twilio-Signature), used by SMS and voice webhooks alike:
//   base64(HMAC-SHA1(auth_token, url + name1 + value1 + name2 + value2 ...))
// where url is the full URL Twilio requested (scheme, host, port if any, path and query) and
// the POST parameters are sorted by name in byte order (Unix-style, case-sensitive); a name
// given several values contributes name+value once per distinct value, in sorted order.
// https://www.twilio.com/docs/usage/webhooks/webhooks-security
// Checked against the vectors published in Twilio's docs and in the test suites of
// twilio-python (tests/unit/test_request_validator.py) and twilio-node
// (spec/unit/webhooks/webhooks.spec.js); see tests/plugins/sms/test_twilio_signature.cpp.
#pragma once

#include <omnigate/common/form.hpp>

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX, kept out of the plugins' headers

namespace omnigate::twilio {

// Signs and verifies with one auth token. The HMAC key schedule is prepared once: OpenSSL 3's
// one-shot HMAC() looks the algorithm up and sets the key up on every call, which costs more
// than hashing a whole webhook. Safe for concurrent use: a signature re-initialises the
// signer's working context when it is free and works on a copy of the keyed one otherwise.
class RequestSigner {
 public:
  explicit RequestSigner(std::string_view auth_token);  // throws std::runtime_error
  ~RequestSigner();
  RequestSigner(RequestSigner&& other) noexcept;
  RequestSigner& operator=(RequestSigner&& other) noexcept;
  RequestSigner(const RequestSigner&) = delete;
  RequestSigner& operator=(const RequestSigner&) = delete;

  // compute_signature() and signature_matches() below, with this signer's auth token.
  std::string sign(std::string_view url, const form::Fields& params) const;
  bool matches(std::string_view url, const form::Fields& params, std::string_view signature) const;

 private:
  evp_mac_ctx_st* keyed_;  // HMAC-SHA1 initialised with the token; owned
  // A copy of keyed_ that sign() re-initialises (same key, no allocation) under the mutex;
  // copying keyed_ instead costs two allocations and a few thousand instructions. Owned.
  evp_mac_ctx_st* working_;
  std::unique_ptr<std::mutex> working_mutex_;
};

// The signature Twilio computes for a POST to `url` with `params`. A repeated name is included
// once per distinct value, its values in byte order; a pair repeated exactly counts once.
std::string compute_signature(std::string_view auth_token, std::string_view url,
                              const form::Fields& params);

// True when `signature` matches `url` as given, or `url` with the scheme's default port added
// (https :443, http :80) when it has none, or with its port removed when it has one: Twilio
// signs whichever form it used to reach us, and its SDKs' validators try both.
// The comparison is constant-time (CRYPTO_memcmp); an empty signature never matches.
bool signature_matches(std::string_view auth_token, std::string_view url,
                       const form::Fields& params, std::string_view signature);

}  // namespace omnigate::twilio
