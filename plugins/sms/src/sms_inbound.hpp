// Twilio's incoming-message webhook (form fields) → the normalised inbound message.
// https://www.twilio.com/docs/messaging/guides/webhook-request
#pragma once

#include "sms_config.hpp"

#include <omnigate/common/form.hpp>
#include <omnigate/plugin.hpp>

#include <string>
#include <string_view>
#include <variant>

namespace omnigate::sms {

// Why a webhook cannot become a message: answered with 400 and this text.
struct InboundRejection {
  std::string message;  // names the field, e.g. "From: missing"
};

// Maps the webhook's fields to a message for submit_inbound. `raw_body` is kept verbatim as
// the audit copy; `malformed` (from the form parser) flags the message so readers know the
// fields may be incomplete.
std::variant<InboundMessage, InboundRejection> map_inbound(const SmsConfig& config,
                                                           const form::Fields& fields,
                                                           std::string_view raw_body,
                                                           bool malformed);

// The conversation key within the instance: one thread per (customer number, our number).
std::string thread_key(std::string_view customer_number, std::string_view our_number);

}  // namespace omnigate::sms
