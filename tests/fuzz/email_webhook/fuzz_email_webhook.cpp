// Fuzzes POST /channels/<instance>/inbound before any secret is known to be right: the
// Content-Type dispatch, the multipart/form-data reader (GMime), the urlencoded form, the
// Authorization parsing (Bearer, Basic/base64) and the Mailgun signature check. The input is
// "<content type>\n<authorization>\n<body>". Nothing may crash, and nothing unproven may pass.
#include "webhook_request.hpp"

#include "ascii_text.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto first = input.find('\n');
  if (first == std::string_view::npos) return 0;
  const auto second = input.find('\n', first + 1);
  if (second == std::string_view::npos) return 0;
  const std::string content_type(input.substr(0, first));
  const std::string authorization(input.substr(first + 1, second - first - 1));
  omnigate::HttpRequest request;
  request.method = "POST";
  request.path = "/inbound";
  request.body = input.substr(second + 1);
  og_header headers[2] = {
      {sizeof(og_header), {"Content-Type", 12}, {content_type.data(), content_type.size()}},
      {sizeof(og_header), {"Authorization", 13}, {authorization.data(), authorization.size()}}};
  request.header_array = headers;
  request.header_count = 2;

  omnigate::email::WebhookConfig config;
  config.secret = "fuzz-webhook-secret";
  config.mailgun_signing_key = "fuzz-mailgun-key";
  config.sendgrid_user = "fuzz";
  config.sendgrid_password = "fuzz-password";
  const auto result = omnigate::email::read_webhook(config, request, 1'700'000'000);
  if (const auto* mail = std::get_if<omnigate::email::WebhookMail>(&result)) {
    // Only a post carrying a secret may pass: the raw secret (Bearer/Basic; schemes are
    // case-insensitive, the secret is not), the SendGrid password (Basic), or a Mailgun
    // signature (which needs the key: 64 hex digits the fuzzer would have to guess).
    const std::string scheme = omnigate::email::ascii_lower(authorization);
    const bool proven = (scheme.find("bearer") != std::string::npos &&
                         authorization.find("fuzz-webhook-secret") != std::string::npos) ||
                        scheme.find("basic") != std::string::npos || mail->source == "mailgun";
    if (!proven || mail->raw.empty()) std::abort();
  }
  return 0;
}
