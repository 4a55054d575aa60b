#include "redaction/card_numbers.hpp"

#include "redaction/luhn.hpp"

#include <string>

namespace omnigate::redaction {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_separator(char c) {
  return c == ' ' || c == '-';
}
bool is_word_char(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// One run of digit groups: where each group starts and ends in the text.
struct Group {
  std::size_t begin;
  std::size_t end;
};

// The groups of the run that starts at `pos` (a digit); a separator of one or two characters
// joins two groups only when a digit follows it.
std::vector<Group> read_run(std::string_view text, std::size_t pos) {
  std::vector<Group> groups;
  while (pos < text.size() && is_digit(text[pos])) {
    const std::size_t begin = pos;
    while (pos < text.size() && is_digit(text[pos])) ++pos;
    groups.push_back({begin, pos});
    std::size_t next = pos;
    while (next < text.size() && next - pos < 2 && is_separator(text[next])) ++next;
    if (next == pos || next >= text.size() || !is_digit(text[next])) break;
    pos = next;
  }
  return groups;
}

// Only Visa issues 13-digit numbers, all starting with 4. Every Unix-ms time until 2286 has 13
// digits, and one in ten passes Luhn: without this a "due at 1763989200000" in a reason text was
// masked. Times start with 1 (until 2033, then 2 and 3), which no 13-digit card does.
bool plausible_card_length(std::size_t digits, char first_digit) {
  return digits >= kMinCardDigits && (digits > kMinCardDigits || first_digit == '4');
}

std::string digits_of(std::string_view text, const std::vector<Group>& groups, std::size_t first,
                      std::size_t last) {
  std::string out;
  for (std::size_t g = first; g <= last; ++g)
    out.append(text.substr(groups[g].begin, groups[g].end - groups[g].begin));
  return out;
}

}  // namespace

std::vector<TextSpan> find_card_numbers(std::string_view text) {
  std::vector<TextSpan> found;
  std::size_t pos = 0;
  while (pos < text.size()) {
    // A run starts at a digit that does not continue a word ("ID4111..." is an identifier).
    if (!is_digit(text[pos]) || (pos > 0 && is_word_char(text[pos - 1]))) {
      ++pos;
      continue;
    }
    const auto groups = read_run(text, pos);
    const std::size_t run_end = groups.back().end;
    // A run glued to letters ("4111111111111111abc") is a token, not a card number.
    const bool glued = run_end < text.size() && is_word_char(text[run_end]);
    std::size_t first = 0;
    while (!glued && first < groups.size()) {
      // The shortest window of whole groups from `first` that is a card number: a code written
      // right behind the card ("... 1111 123") passes Luhn with the card one time in ten, and
      // must not become the "last four digits" that stay readable.
      std::size_t matched_last = groups.size();
      std::size_t count = 0;
      for (std::size_t last = first; last < groups.size(); ++last) {
        count += groups[last].end - groups[last].begin;
        if (count > kMaxCardDigits) break;
        if (plausible_card_length(count, text[groups[first].begin]) &&
            passes_luhn(digits_of(text, groups, first, last))) {
          matched_last = last;
          break;
        }
      }
      if (matched_last == groups.size()) {
        ++first;
        continue;
      }
      found.push_back({groups[first].begin, groups[matched_last].end});
      first = matched_last + 1;
    }
    pos = run_end;
  }
  return found;
}

}  // namespace omnigate::redaction
