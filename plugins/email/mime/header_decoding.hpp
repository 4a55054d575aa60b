// Header values as UTF-8: RFC 2047 encoded words (with declared charsets read as their
// supersets), raw 8-bit text read with the fallback charsets, address lists and attachment
// file names (RFC 2231 continuations and charsets, RFC 2047 words in parameters).
#pragma once

#include "parsed_email.hpp"
#include "read_context.hpp"

#include <gmime/gmime.h>

#include <string>
#include <vector>

namespace omnigate::email {

// The value of the first header `name` of `object` as written (folded), or NULL.
const char* raw_header(GMimeObject* object, const char* name);

// An unstructured header value (Subject, ...) decoded, unfolded and trimmed.
std::string decode_text_header(const char* raw, ReadContext& context);

// The mailboxes of an address list (groups flattened), names decoded, domains lower-cased.
std::vector<MailAddress> decode_address_list(const char* raw, ReadContext& context);

// A part's file name: Content-Disposition's filename, else Content-Type's name; empty if none.
std::string decode_part_filename(GMimeObject* part, ReadContext& context);

}  // namespace omnigate::email
