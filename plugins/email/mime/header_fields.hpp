// The top-level headers the channel needs: threading ids, addresses, subject, date and
// Authentication-Results, decoded into ParsedEmail.
#pragma once

#include "read_context.hpp"

#include <gmime/gmime.h>

namespace omnigate::email {

void read_header_fields(GMimeMessage* message, ReadContext& context);

}  // namespace omnigate::email
