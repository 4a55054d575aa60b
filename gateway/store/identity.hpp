// Identity normalisation: the same person must map to the same (kind, address) whichever way
// a channel spells it. Pure functions; the store applies them before every identity lookup.
#pragma once

#include <string>
#include <string_view>

namespace omnigate::store {

// E.164 when possible: drops spaces, dashes, dots and parentheses, turns a leading "00" into
// "+", and accepts "+" followed by 8-15 digits. Anything else comes back as the trimmed raw
// text: an odd number must never make us drop a customer's message.
std::string normalise_phone(std::string_view raw);
// Trimmed and lower-cased.
std::string normalise_email(std::string_view raw);
// Dispatches on kind ("phone", "email"); other kinds are trimmed only.
std::string normalise_address(std::string_view kind, std::string_view raw);

}  // namespace omnigate::store
