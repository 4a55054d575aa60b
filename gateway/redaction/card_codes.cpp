#include "redaction/card_codes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <string>

namespace omnigate::redaction {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// A number of 3 or 4 digits starting at `pos` that is not part of a longer number.
std::optional<TextSpan> short_number_at(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && is_digit(text[end])) ++end;
  const std::size_t n = end - pos;
  if (n < 3 || n > 4) return std::nullopt;
  return TextSpan{pos, end};
}

// A group of 1 to 4 digits starting at `pos` that is not part of a longer number.
std::optional<TextSpan> short_group_at(std::string_view text, std::size_t pos) {
  std::size_t end = pos;
  while (end < text.size() && is_digit(text[end])) ++end;
  if (end - pos > 4) return std::nullopt;
  return TextSpan{pos, end};
}

// Skips what may stand between a code's name and the code: spaces, ':', '#', '=', '-', "is".
std::size_t skip_filler(std::string_view lower, std::size_t pos) {
  for (;;) {
    if (pos < lower.size() &&
        std::string_view(" \t:#=-").find(lower[pos]) != std::string_view::npos) {
      ++pos;
    } else if (lower.substr(pos, 3) == "is ") {
      pos += 3;
    } else {
      return pos;
    }
  }
}

std::optional<TextSpan> named_code(std::string_view text, std::size_t from, std::size_t to) {
  std::string lower(text.substr(from, to - from));
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  static constexpr std::array<std::string_view, 9> kNames{
      "security code", "card code", "cvv2", "cvc2", "cvv", "cvc", "cid", "csc", "code"};
  std::optional<TextSpan> best;
  for (const auto name : kNames) {
    for (std::size_t at = lower.find(name); at != std::string::npos;
         at = lower.find(name, at + 1)) {
      // The name must be a word of its own ("cvv" in "cvvs" is fine, "code" in "zipcode" not).
      if (at > 0 && std::isalpha(static_cast<unsigned char>(lower[at - 1]))) continue;
      const std::size_t digits = skip_filler(lower, at + name.size());
      // The code may itself run past the window's end; the text decides.
      if (digits >= lower.size() || !is_digit(lower[digits])) continue;
      const auto code = short_number_at(text, from + digits);
      if (code && (!best || code->begin < best->begin)) best = code;
    }
  }
  return best;
}

}  // namespace

std::vector<TextSpan> find_card_codes(std::string_view text, const std::vector<TextSpan>& cards) {
  std::vector<TextSpan> codes;
  for (std::size_t i = 0; i < cards.size(); ++i) {
    const std::size_t from = cards[i].end;
    // The window stops at the next card: its code is that card's business.
    std::size_t to = std::min(text.size(), from + kCodeWindow);
    if (i + 1 < cards.size()) to = std::min(to, cards[i + 1].begin);
    // Right behind the card: "4111 1111 1111 1111 123", "..., 123", "... / 123". Up to two
    // short groups, because when a shorter window of a longer card passed Luhn by chance its
    // last digits stand there too ("... 3873 6 637").
    std::size_t pos = from;
    for (int group = 0; group < 2; ++group) {
      const std::size_t start = pos;
      while (pos < to && pos - start < 3 &&
             std::string_view(" ,/-").find(text[pos]) != std::string_view::npos)
        ++pos;
      if (pos == start || pos >= to || !is_digit(text[pos])) break;
      const auto digits = short_group_at(text, pos);
      if (!digits) break;
      codes.push_back(*digits);
      pos = digits->end;
    }
    if (const auto code = named_code(text, from, to)) codes.push_back(*code);
  }
  return codes;
}

}  // namespace omnigate::redaction
