// Twilio's "create a Message" REST call: building the request and reading the answer.
// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
#pragma once

#include "sms_config.hpp"

#include <omnigate/plugin.hpp>

#include <string>
#include <string_view>

namespace omnigate::sms {

// POST {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json, Basic auth sid:token, form
// fields To, From, Body, StatusCallback (when `status_callback_url` is not empty), MediaUrl
// per attachment with a url, and an Idempotency-Key header. Throws PermanentError when the
// message cannot be sent at all (no recipient, no sender, nothing to send, over the limits).
FetchRequest build_send_request(const SmsConfig& config, const OutboundMessage& message,
                                std::string_view status_callback_url);

}  // namespace omnigate::sms
