#include "sms_outbound.hpp"

#include <omnigate/common/form.hpp>

#include <nlohmann/json.hpp>

namespace omnigate::sms {
FetchRequest build_send_request(const SmsConfig& config, const OutboundMessage& message,
                                std::string_view status_callback_url) {
  if (message.to_address.empty()) throw PermanentError("To: the message has no recipient number");
  const std::string& from =
      message.from_address.empty() ? config.from_number : message.from_address;
  if (from.empty())
    throw PermanentError("From: no sender number (message has none and from_number is not set)");

  form::Fields fields{{"To", message.to_address}, {"From", from}};
  std::size_t media = 0;
  for (const auto& a : message.attachments)
    if (!a.url.empty()) ++media;
  if (message.body_text.empty() && media == 0)
    throw PermanentError("Body: empty and no attachment with a url to send");
  if (message.body_text.size() > config.max_body_bytes)
    throw PermanentError("Body: longer than max_body_bytes (" +
                         std::to_string(config.max_body_bytes) + ")");
  if (media > config.max_media)
    throw PermanentError("MediaUrl: more attachments than max_media (" +
                         std::to_string(config.max_media) + ")");
  if (!message.body_text.empty()) fields.emplace_back("Body", message.body_text);
  for (const auto& a : message.attachments)
    if (!a.url.empty()) fields.emplace_back("MediaUrl", a.url);
  if (!status_callback_url.empty()) fields.emplace_back("StatusCallback", status_callback_url);

  FetchRequest r;
  r.method = "POST";
  r.url = config.api_base + "/2010-04-01/Accounts/" + config.account_sid + "/Messages.json";
  r.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
               {"Accept", "application/json"}};
  // Real Twilio ignores this header; the stand-in provider (and compatible gateways) use it to
  // make a retried send after a lost answer a no-op.
  if (!message.idempotency_key.empty())
    r.headers.emplace_back("Idempotency-Key", message.idempotency_key);
  r.body = form::encode(fields);
  r.basic_auth_user = config.account_sid;
  r.basic_auth_password = config.auth_token;
  r.timeout_ms = config.timeout_ms;
  r.allow_private = config.allow_private_api;
  return r;
}

}  // namespace omnigate::sms
