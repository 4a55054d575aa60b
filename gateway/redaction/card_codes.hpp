// Finds the security code (CVV, CVC, CID, CSC) a customer writes shortly after a card number:
// a 3- or 4-digit number named by one of those words ("CVV 123", "cvc: 1234", "security code
// 123") within a short distance of the card, and short digit groups standing right behind it
// ("4111 ... 1111 123").
#pragma once

#include "redaction/card_numbers.hpp"

#include <string_view>
#include <vector>

namespace omnigate::redaction {

// How far after a card number's last digit a named code is still taken as its code.
inline constexpr std::size_t kCodeWindow = 48;

// The codes that follow the `cards` (as find_card_numbers returned them) in `text`.
std::vector<TextSpan> find_card_codes(std::string_view text, const std::vector<TextSpan>& cards);

}  // namespace omnigate::redaction
