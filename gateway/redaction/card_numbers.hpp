// Finds payment card numbers in free text: 13 (only Visa's, which start with 4) to 19 digits,
// contiguous or in groups separated by one or two spaces or dashes ("4111 1111 1111 1111",
// "3782-822463-10005"), that pass the Luhn check. A scanner instead of a regular expression: a
// grouped run can hold a card and more digits beside it ("4111 1111 1111 1111 123"), so every
// window of whole groups is tried.
#pragma once

#include <cstddef>
#include <string_view>
#include <vector>

namespace omnigate::redaction {

// A card number's place in the text: [begin, end) spans its first to its last digit.
struct TextSpan {
  std::size_t begin = 0;
  std::size_t end = 0;
};

inline constexpr std::size_t kMinCardDigits = 13;
inline constexpr std::size_t kMaxCardDigits = 19;

// The card numbers in `text`, in order, not overlapping.
std::vector<TextSpan> find_card_numbers(std::string_view text);

}  // namespace omnigate::redaction
