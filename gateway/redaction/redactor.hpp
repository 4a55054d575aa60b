// PII redaction of stored text (docs/qa.md "Transcripts"): card numbers (Luhn-checked) keep their
// last four digits ("**** **** **** 1111"), the security code written after one is masked whole,
// and every match of the configured patterns ([redaction] patterns: ID numbers, phone numbers)
// keeps its last four digits too. Separators and letters around them stay, so the text still
// reads as the customer wrote it.
#pragma once

#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::redaction {

class Redactor {
 public:
  // Throws std::invalid_argument naming the pattern (ECMAScript syntax) that does not compile.
  explicit Redactor(const std::vector<std::string>& patterns = {});

  // The text with every card number, card code and pattern match masked.
  std::string redact(std::string_view text) const;
  // A JSON document with each string value (and any integer that is a card number) redacted; a
  // text that is not JSON is redacted as text.
  std::string redact_json(std::string_view json_text) const;

 private:
  std::vector<std::regex> patterns_;
};

}  // namespace omnigate::redaction
