#include "sms_status.hpp"

namespace omnigate::sms {

std::optional<og_delivery_state> delivery_state(std::string_view s) {
  // "accepted"/"scheduled"/"sending" are steps before the carrier has the message.
  if (s == "accepted" || s == "scheduled" || s == "queued" || s == "sending")
    return OG_DELIVERY_QUEUED;
  if (s == "sent") return OG_DELIVERY_SENT;
  if (s == "delivered") return OG_DELIVERY_DELIVERED;
  if (s == "read") return OG_DELIVERY_READ;
  if (s == "undelivered") return OG_DELIVERY_UNDELIVERED;
  // A canceled (scheduled) message will never go out: for the transcript it failed.
  if (s == "failed" || s == "canceled") return OG_DELIVERY_FAILED;
  return std::nullopt;
}

std::variant<DeliveryReport, StatusRejection> map_status(const form::Fields& fields,
                                                         std::string_view raw_body) {
  auto sid = form::find(fields, "MessageSid");
  if (!sid || sid->empty()) sid = form::find(fields, "SmsSid");
  if (!sid || sid->empty()) return StatusRejection{"MessageSid: missing"};
  auto status = form::find(fields, "MessageStatus");
  if (!status || status->empty()) status = form::find(fields, "SmsStatus");
  if (!status || status->empty()) return StatusRejection{"MessageStatus: missing"};
  auto state = delivery_state(*status);
  if (!state)
    return StatusRejection{"MessageStatus: not an outbound delivery status: '" +
                           std::string(*status) + "'"};
  DeliveryReport r;
  r.provider_message_id = *sid;
  r.state = *state;
  r.error_code = form::find(fields, "ErrorCode").value_or("");
  r.error_text = form::find(fields, "ErrorMessage").value_or("");
  if (r.error_text.empty() && *status == "canceled") r.error_text = "canceled";
  r.raw = raw_body;
  return r;
}

}  // namespace omnigate::sms
