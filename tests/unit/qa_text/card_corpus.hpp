// Generated text for the redaction tests: card numbers (valid Luhn, in the layouts customers
// type), with and without security codes, and the look-alikes that must stay: order numbers of
// 10-12 digits and phone numbers.
#pragma once

#include <random>
#include <string>

namespace omnigate::qa_text::test {

struct GeneratedCard {
  std::string digits;  // the number alone
  std::string typed;   // as written in the text ("4111 1111 1111 1111", "3782-822463-10005")
};

class CardCorpus {
 public:
  explicit CardCorpus(unsigned seed) : rng_(seed) {}

  GeneratedCard card() {
    static const char* kPrefixes[] = {"4", "51", "52", "55", "2221", "37", "34", "6011", "35"};
    const std::string prefix = kPrefixes[pick(9)];
    const bool amex = prefix == "37" || prefix == "34";
    const std::size_t length = amex ? 15 : prefix == "4" && pick(4) == 0 ? 13 : 16 + pick(4) / 3;
    std::string d = prefix;
    while (d.size() < length - 1) d += digit();
    d += luhn_check_digit(d);
    GeneratedCard c{d, d};
    const int layout = static_cast<int>(pick(4));
    if (layout == 0) return c;  // contiguous
    const std::string sep = layout == 1 ? " " : layout == 2 ? "-" : "  ";
    c.typed.clear();
    const std::size_t groups_amex[] = {4, 6, 5};
    std::size_t at = 0, g = 0;
    while (at < d.size()) {
      const std::size_t n = amex ? groups_amex[g++] : 4;
      if (!c.typed.empty()) c.typed += sep;
      c.typed += d.substr(at, n);
      at += n;
    }
    return c;
  }

  std::string code() {
    std::string s;
    const std::size_t n = 3 + pick(2);
    for (std::size_t i = 0; i < n; ++i) s += digit();
    return s;
  }

  // "... CVV 123" in one of the ways customers write it; `code` as returned by code().
  std::string card_sentence(const GeneratedCard& card, const std::string& code) {
    switch (pick(6)) {
      case 0:
        return "My card is " + card.typed + " CVV " + code + ", please charge it.";
      case 1:
        return "card " + card.typed + " exp 12/27 cvc: " + code;
      case 2:
        return "Here: " + card.typed + " security code " + code + " thanks";
      case 3:
        return "Number " + card.typed + ", CVV2=" + code + ".";
      case 4:
        return card.typed + " " + code;
      default:
        return "pay with " + card.typed + " (the code is " + code + ")";
    }
  }

  std::string order_number() {
    std::string s(1, static_cast<char>('1' + pick(9)));
    const std::size_t n = 10 + pick(3);
    while (s.size() < n) s += digit();
    return s;
  }

  std::string phone_number() {
    const std::string area = std::to_string(200 + pick(700));
    const std::string local =
        std::to_string(200 + pick(700)) + "-" + std::to_string(1000 + pick(9000));
    switch (pick(4)) {
      case 0:
        return "+1 " + area + " " + local;
      case 1:
        return "(" + area + ") " + local;
      case 2:
        return "+44 20 " + std::to_string(7000 + pick(2000)) + " " +
               std::to_string(1000 + pick(9000));
      default:
        return area + "-" + local;
    }
  }

  // A sentence with look-alikes only (nothing in it may be masked).
  std::string innocent_sentence() {
    switch (pick(5)) {
      case 0:
        return "Order " + order_number() + " has not arrived, call me on " + phone_number();
      case 1:
        return "Tracking " + order_number() + " and " + order_number() + ", 3 items, code 123";
      case 2:
        return "My number is " + phone_number() + ", order #" + order_number();
      case 3:
        return "Invoice " + order_number() + " for 1299 dollars, ref " + order_number();
      default:
        return "Call " + phone_number() + " or " + phone_number() + " about order " +
               order_number();
    }
  }

  std::size_t pick(std::size_t n) {
    return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng_);
  }

 private:
  char digit() { return static_cast<char>('0' + pick(10)); }

  static char luhn_check_digit(const std::string& body) {
    int sum = 0;
    bool doubled = true;  // the check digit will be the rightmost, undoubled
    for (auto it = body.rbegin(); it != body.rend(); ++it) {
      int d = *it - '0';
      if (doubled) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
      doubled = !doubled;
    }
    return static_cast<char>('0' + (10 - sum % 10) % 10);
  }

  std::mt19937 rng_;
};

}  // namespace omnigate::qa_text::test
