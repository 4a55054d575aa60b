// Header values written by the composer itself rather than by GMime's formatter, because GMime
// 3.2.13 gets two cases wrong: a run of CJK text without spaces becomes one encoded word of any
// length (RFC 2047 allows 75 characters, strict clients drop longer ones, and the header line
// passes 78), and text that merely looks like an encoded word ("=?utf-8?q?...?=") is written
// as it is, so the recipient decodes what the agent typed into something else.
//
// The values are GMime's raw form: folded with "\n " (its writer turns "\n" into CRLF), a
// leading space after the colon, a trailing "\n". Text that needs no encoding is only folded at
// its spaces; otherwise all of it becomes UTF-8 base64 encoded words of at most 75 characters,
// split between characters, each line at most 78 characters.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "email_composer.hpp"

namespace omnigate::email {

// The raw value of an unstructured header (Subject, X-...) `header_name` holding `utf8`.
std::string encoded_unstructured_value(std::string_view header_name, std::string_view utf8);

// The raw value of an address header (From, To) listing `mailboxes`: "name <local@domain>",
// the name as encoded words unless it is plain ASCII words.
std::string encoded_mailbox_list_value(std::string_view header_name,
                                       const std::vector<ComposeAddress>& mailboxes);

}  // namespace omnigate::email
