// UTF-8 as the Unicode standard defines it (RFC 3629; table 3-7 of the standard: no overlongs,
// no surrogates, nothing above U+10FFFF), and its repair: each maximal invalid subpart becomes
// one U+FFFD, the standard's recommended practice (what browsers and Python's
// "replace" do). Customers' bytes are not always UTF-8 (a Latin-1 mail part, a carrier's odd
// SMS); everything that stores or shows them uses this one decoder so that all readers agree.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace omnigate::utf8 {

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The sequence at the start of a non-empty `bytes`: a well-formed character (`valid`, 1..4
// bytes) or the maximal invalid subpart to replace by one U+FFFD (`!valid`, 1..3 bytes).
struct Sequence {
  std::size_t length;
  bool valid;
};
Sequence next_sequence(std::string_view bytes);

bool is_valid(std::string_view bytes);

// `bytes` with each maximal invalid subpart replaced by U+FFFD; valid input comes back as is.
std::string repaired(std::string_view bytes);

// Repairs `text` in place; true when it had to (it was not valid UTF-8).
bool repair(std::string& text);

}  // namespace omnigate::utf8
