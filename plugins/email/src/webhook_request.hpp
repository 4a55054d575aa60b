// POST /channels/<instance>/inbound: who may post a mail and how it arrives.
//   Content-Type message/rfc822     the raw mail as the body; Authorization: Bearer <secret>
//                                    (or Basic with the secret as password)
//   multipart/form-data or          Mailgun routes ("forward" to a URL ending in mime): the raw
//   x-www-form-urlencoded with      mail in body-mime, signed with timestamp, token, signature
//   body-mime                       = hex HMAC-SHA256(signing key, timestamp + token)
//   multipart/form-data with email  SendGrid Inbound Parse with "POST the raw, full MIME
//                                    message": Basic auth set in the URL SendGrid posts to
// A sender that proves nothing gets 401; one whose proof is wrong (or stale) gets 403; a
// source this instance has no secret for is refused 403 too (never accepted unsigned).
#pragma once

#include "email_config.hpp"

#include <omnigate/plugin.hpp>

#include <cstdint>
#include <string>
#include <variant>

namespace omnigate::email {

struct WebhookMail {
  std::string raw;     // the RFC 5322 message
  std::string source;  // "rfc822", "mailgun" or "sendgrid"
};

struct WebhookRefusal {
  int status = 400;
  std::string reason;  // for the response body and the log; never a secret
};

std::variant<WebhookMail, WebhookRefusal> read_webhook(const WebhookConfig& config,
                                                       const HttpRequest& request,
                                                       int64_t now_seconds);

// Hex HMAC-SHA256 of timestamp + token under the key: Mailgun's webhook signature.
std::string mailgun_signature(std::string_view key, std::string_view timestamp,
                              std::string_view token);

}  // namespace omnigate::email
