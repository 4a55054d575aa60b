// Reading Twilio's answer to a REST request that creates or updates a resource (a Message, a
// Call): https://www.twilio.com/docs/usage/twilios-response. Shared by the SMS and voice
// plugins; not installed with the SDK.
#pragma once

#include <omnigate/plugin.hpp>

namespace omnigate::twilio {

// 2xx with a JSON "sid" → OK with it as provider_message_id; 429, 5xx and transport errors →
// RETRY (Retry-After in seconds honoured); other answers → PERMANENT with Twilio's error "code"
// and "message". A 2xx without a sid is PERMANENT: retrying could create the resource twice.
SendResult read_create_answer(const FetchResponse& response);

}  // namespace omnigate::twilio
