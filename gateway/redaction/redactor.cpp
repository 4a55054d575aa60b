#include "redaction/redactor.hpp"

#include "redaction/card_codes.hpp"
#include "redaction/card_numbers.hpp"

#include <nlohmann/json.hpp>

#include <stdexcept>

namespace omnigate::redaction {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Masks letters and digits of [begin, end) but the last `keep_digits` digits.
void mask(std::string& text, std::size_t begin, std::size_t end, int keep_digits) {
  for (std::size_t i = end; i-- > begin;) {
    if (is_digit(text[i]) && keep_digits > 0) {
      --keep_digits;
    } else if (is_alnum(text[i])) {
      text[i] = '*';
    }
  }
}

void redact_json_value(const Redactor& r, nlohmann::json& v) {
  if (v.is_string()) {
    v = r.redact(v.get_ref<const std::string&>());
  } else if (v.is_number_integer()) {
    // A card number sent as a JSON number. Unix-ms times, which event data is full of, are not
    // taken for cards (card_numbers.hpp).
    const std::string digits = v.dump();
    if (!find_card_numbers(digits).empty()) v = r.redact(digits);
  } else if (v.is_structured()) {
    for (auto& item : v) redact_json_value(r, item);
  }
}

}  // namespace

Redactor::Redactor(const std::vector<std::string>& patterns) {
  for (const auto& p : patterns) {
    try {
      patterns_.emplace_back(p, std::regex::ECMAScript | std::regex::optimize);
    } catch (const std::regex_error& e) {
      throw std::invalid_argument("redaction pattern \"" + p + "\" does not compile: " + e.what());
    }
  }
}

std::string Redactor::redact(std::string_view text) const {
  std::string out(text);
  const auto cards = find_card_numbers(text);
  for (const auto& card : cards) mask(out, card.begin, card.end, 4);
  for (const auto& code : find_card_codes(text, cards)) mask(out, code.begin, code.end, 0);
  for (const auto& pattern : patterns_) {
    // Matches are found on the text as masked so far; masking keeps every length the same.
    const std::string current = out;
    for (auto it = std::sregex_iterator(current.begin(), current.end(), pattern);
         it != std::sregex_iterator(); ++it) {
      const auto begin = static_cast<std::size_t>(it->position());
      mask(out, begin, begin + static_cast<std::size_t>(it->length()), 4);
    }
  }
  return out;
}

std::string Redactor::redact_json(std::string_view json_text) const {
  // Nothing to mask in the text as a whole: the document is kept byte for byte (a re-dump would
  // reorder its keys).
  if (redact(json_text) == json_text) return std::string(json_text);
  auto doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return redact(json_text);
  redact_json_value(*this, doc);
  return doc.dump();
}

}  // namespace omnigate::redaction
