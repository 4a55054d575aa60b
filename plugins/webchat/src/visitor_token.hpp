// Who a visitor is. The anonymous visitor token the widget keeps in localStorage is the session:
// "<session id>.<MAC>", the MAC an HMAC-SHA256 of the session id under the instance's `secret`,
// so a token cannot be guessed or forged and needs no server-side lookup to be checked. A site
// that knows its user vouches for it the way Chatwoot's identity validation does: the hex
// HMAC-SHA256 of the identifier under `identity_secret`, computed on the site's server.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace omnigate::webchat {

class VisitorTokens {
 public:
  // `secret` signs tokens; `identity_secret` checks identities ("" = none accepted).
  VisitorTokens(std::string secret, std::string identity_secret);

  // A new session: its token (the session id is the part before the '.').
  std::string issue() const;
  // The session id of a token this instance issued; nullopt for anything else.
  std::optional<std::string> session_of(std::string_view token) const;
  // True when `hash` (hex, any case) is the HMAC of `id` under identity_secret.
  bool identity_verified(std::string_view id, std::string_view hash) const;

 private:
  std::string secret_, identity_secret_;
};

// Lower-case hex of HMAC-SHA256(key, data).
std::string hmac_sha256_hex(std::string_view key, std::string_view data);
// `bytes` random bytes from OpenSSL's CSPRNG, as lower-case hex.
std::string random_hex(std::size_t bytes);

}  // namespace omnigate::webchat
