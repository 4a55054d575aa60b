// Delivery status notifications (RFC 3464): the report's message/delivery-status fields and
// the Message-ID of the mail that bounced, from the returned message or its headers.
#pragma once

#include "parsed_email.hpp"

#include <gmime/gmime.h>

#include <string>

namespace omnigate::email {

// A multipart/report; report-type=delivery-status read into a BounceReport.
BounceReport read_delivery_report(GMimeMultipart* report);

// The Message-ID (without <>) of a returned mail: a message/rfc822 (message/global) part or a
// text/rfc822-headers part; empty when `part` is neither or has none.
std::string returned_message_id(GMimeObject* part);

}  // namespace omnigate::email
