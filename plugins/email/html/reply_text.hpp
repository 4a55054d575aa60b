// Separates what the customer just wrote from what they quoted and their signature, so the
// agent sees the new text first (the full body is always kept as well). Recognises ">" quote
// blocks, reply headers of the common clients in several languages ("On ... wrote:", "Am ...
// schrieb", "Le ... a écrit", "El ... escribió", "在 ... 写道", Outlook's "-----Original
// Message-----" and "From: ... Sent: ..." blocks), the "-- " signature delimiter and
// mobile-client footers ("Sent from my iPhone").
#pragma once

#include <string>
#include <string_view>

namespace omnigate::email {

struct ReplySplit {
  std::string new_text;   // trimmed of trailing blank lines
  std::string quoted;     // from the reply header or first quote line to the end (may be empty)
  std::string signature;  // the signature block between new_text and quoted (may be empty)
};

ReplySplit split_reply(std::string_view text);

}  // namespace omnigate::email
