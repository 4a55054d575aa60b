// Whether a mail is a person's message, an auto-reply or a bounce, and which header decided
// (ParsedEmail::kind and kind_reason; bounce details in ParsedEmail::bounce). Auto-replies and
// bounces must never open a conversation or be answered: that is how mail loops start.
#pragma once

#include "read_context.hpp"

#include <gmime/gmime.h>

#include <string_view>

namespace omnigate::email {

// Needs context.out's from, subject (read_header_fields) and `text`, the text body.
void classify_mail(GMimeMessage* message, std::string_view text, ReadContext& context);

}  // namespace omnigate::email
