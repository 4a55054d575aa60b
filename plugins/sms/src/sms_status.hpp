// Twilio's message status callback (form fields) → a delivery report.
// https://www.twilio.com/docs/messaging/guides/track-outbound-message-status
#pragma once

#include <omnigate/common/form.hpp>
#include <omnigate/plugin.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace omnigate::sms {

struct StatusRejection {
  std::string message;  // names the field, e.g. "MessageStatus: unknown value 'x'"
};

// Twilio's MessageStatus value → delivery state; nullopt for values that are not about an
// outbound message's delivery (e.g. "received").
std::optional<og_delivery_state> delivery_state(std::string_view message_status);

std::variant<DeliveryReport, StatusRejection> map_status(const form::Fields& fields,
                                                         std::string_view raw_body);

}  // namespace omnigate::sms
