// The SPF, DKIM and DMARC verdicts the receiving servers wrote in Authentication-Results
// (RFC 8601), kept as they are: the reader never re-verifies them.
#pragma once

#include "parsed_email.hpp"

#include <gmime/gmime.h>

namespace omnigate::email {

// Every Authentication-Results header of `message`, topmost (added last, by the server
// closest to us) first; each method's verdict is taken from the first header that has one.
AuthenticationResults read_authentication_results(GMimeObject* message);

}  // namespace omnigate::email
