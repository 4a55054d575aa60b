// The Luhn (mod 10) check digit test that every payment card number passes (ISO/IEC 7812-1).
#pragma once

#include <string_view>

namespace omnigate::redaction {

// True when `digits` (ASCII digits only) passes the Luhn check.
bool passes_luhn(std::string_view digits);

}  // namespace omnigate::redaction
