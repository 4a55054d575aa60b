#include "webhook_request.hpp"
#include "ascii_text.hpp"

#include "multipart_form.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>
#include <charconv>
#include <optional>

namespace omnigate::email {
namespace {

// Constant time in the length of `expected`, so a forger learns nothing from the timing.
bool same_secret(std::string_view given, std::string_view expected) {
  if (given.size() != expected.size()) return false;
  return CRYPTO_memcmp(given.data(), expected.data(), expected.size()) == 0;
}

struct BasicCredentials {
  std::string user, password;
};

std::optional<BasicCredentials> basic_credentials(std::string_view authorization) {
  authorization = trim_space(authorization);
  if (authorization.size() < 6 || ascii_lower(authorization.substr(0, 6)) != "basic ") return {};
  const std::string_view encoded = trim_space(authorization.substr(6));
  if (encoded.empty() || encoded.size() > 4096 || encoded.size() % 4 != 0) return {};
  std::string decoded(encoded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                                reinterpret_cast<const unsigned char*>(encoded.data()),
                                static_cast<int>(encoded.size()));
  if (n < 0) return {};
  std::size_t len = static_cast<std::size_t>(n);
  for (std::size_t pad = 0; pad < 2 && encoded[encoded.size() - 1 - pad] == '='; ++pad) --len;
  decoded.resize(len);
  const auto colon = decoded.find(':');
  if (colon == std::string::npos) return {};
  return BasicCredentials{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

std::optional<std::string_view> bearer_token(std::string_view authorization) {
  authorization = trim_space(authorization);
  if (authorization.size() < 7 || ascii_lower(authorization.substr(0, 7)) != "bearer ") return {};
  return trim_space(authorization.substr(7));
}

WebhookRefusal refuse(int status, std::string reason) {
  return {status, std::move(reason)};
}

std::variant<WebhookMail, WebhookRefusal> raw_mail(const WebhookConfig& config,
                                                   const HttpRequest& request) {
  if (config.secret.empty())
    return refuse(403, "message/rfc822 posts are off: set webhook.secret to accept them");
  const auto authorization = request.header("Authorization");
  if (!authorization) return refuse(401, "Authorization (Bearer <webhook secret>) is required");
  std::optional<std::string> given;
  if (auto token = bearer_token(*authorization))
    given = std::string(*token);
  else if (auto basic = basic_credentials(*authorization))
    given = basic->password;
  if (!given) return refuse(401, "Authorization must be Bearer or Basic");
  if (!same_secret(*given, config.secret)) return refuse(403, "wrong webhook secret");
  if (request.body.empty()) return refuse(400, "the body holds no message");
  return WebhookMail{std::string(request.body), "rfc822"};
}

std::variant<WebhookMail, WebhookRefusal> mailgun(const WebhookConfig& config,
                                                  const form::Fields& fields, std::string body_mime,
                                                  int64_t now_seconds) {
  if (config.mailgun_signing_key.empty())
    return refuse(403, "Mailgun posts are off: set webhook.mailgun_signing_key to accept them");
  const auto timestamp = form::find(fields, "timestamp");
  const auto token = form::find(fields, "token");
  const auto signature = form::find(fields, "signature");
  if (!timestamp || !token || !signature)
    return refuse(401, "Mailgun fields timestamp, token and signature are required");
  int64_t sent = 0;
  const auto [end, ec] =
      std::from_chars(timestamp->data(), timestamp->data() + timestamp->size(), sent);
  if (ec != std::errc() || end != timestamp->data() + timestamp->size())
    return refuse(403, "Mailgun timestamp is not a number");
  const std::string expected = mailgun_signature(config.mailgun_signing_key, *timestamp, *token);
  if (!same_secret(ascii_lower(*signature), expected))
    return refuse(403, "wrong Mailgun signature");
  const int64_t age = now_seconds - sent;
  if (age > config.max_signature_age_seconds || -age > config.max_signature_age_seconds)
    return refuse(403, "Mailgun timestamp is " + std::to_string(age) +
                           " s away from now (replayed or a wrong clock)");
  if (body_mime.empty()) return refuse(400, "body-mime is empty");
  return WebhookMail{std::move(body_mime), "mailgun"};
}

std::variant<WebhookMail, WebhookRefusal> sendgrid(const WebhookConfig& config,
                                                   const HttpRequest& request, std::string email) {
  if (config.sendgrid_user.empty())
    return refuse(403, "SendGrid posts are off: set webhook.sendgrid_user and sendgrid_password");
  const auto authorization = request.header("Authorization");
  if (!authorization)
    return refuse(401, "Basic auth is required (put user:password in SendGrid's URL)");
  const auto basic = basic_credentials(*authorization);
  if (!basic) return refuse(401, "Authorization must be Basic");
  // Both compared, always: the time taken says nothing about which one was wrong.
  const bool user_ok = same_secret(basic->user, config.sendgrid_user);
  const bool password_ok = same_secret(basic->password, config.sendgrid_password);
  if (!(user_ok && password_ok)) return refuse(403, "wrong SendGrid credentials");
  if (email.empty()) return refuse(400, "the email field is empty");
  return WebhookMail{std::move(email), "sendgrid"};
}

}  // namespace

std::string mailgun_signature(std::string_view key, std::string_view timestamp,
                              std::string_view token) {
  const std::string data = std::string(timestamp) + std::string(token);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &len);
  return hex_lower(mac, len);
}

std::variant<WebhookMail, WebhookRefusal> read_webhook(const WebhookConfig& config,
                                                       const HttpRequest& request,
                                                       int64_t now_seconds) {
  const std::string content_type = ascii_lower(request.header("Content-Type").value_or(""));
  const std::string_view media =
      trim_space(std::string_view(content_type).substr(0, content_type.find(';')));
  if (media == "message/rfc822") return raw_mail(config, request);

  form::Fields fields;
  if (media == "multipart/form-data") {
    // The boundary is case-sensitive: parse the header as sent, not the lower-cased copy.
    auto parsed = parse_multipart_form(*request.header("Content-Type"), request.body);
    if (!parsed.problem.empty() && parsed.fields.empty())
      return refuse(400, "unreadable multipart/form-data: " + parsed.problem);
    fields = std::move(parsed.fields);
  } else if (media == "application/x-www-form-urlencoded") {
    fields = form::parse(request.body).fields;
  } else {
    return refuse(415,
                  "Content-Type must be message/rfc822, multipart/form-data (Mailgun "
                  "body-mime, SendGrid raw email) or application/x-www-form-urlencoded");
  }
  if (auto mime = form::find(fields, "body-mime"))
    return mailgun(config, fields, std::string(*mime), now_seconds);
  if (auto email = form::find(fields, "email"))
    return sendgrid(config, request, std::string(*email));
  return refuse(400, "the form has neither body-mime (Mailgun) nor email (SendGrid raw mode)");
}

}  // namespace omnigate::email
