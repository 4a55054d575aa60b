#include "card_corpus.hpp"

#include "redaction/card_numbers.hpp"
#include "redaction/luhn.hpp"
#include "redaction/raw_seal.hpp"
#include "redaction/redactor.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <string>

using namespace omnigate::redaction;
using omnigate::qa_text::test::CardCorpus;

TEST_CASE("Luhn accepts card numbers and refuses a changed digit") {
  CHECK(passes_luhn("4111111111111111"));
  CHECK(passes_luhn("378282246310005"));
  CHECK_FALSE(passes_luhn("4111111111111112"));
  CHECK_FALSE(passes_luhn(""));
}

TEST_CASE("card numbers keep their last four digits and their layout") {
  const Redactor r;
  CHECK(r.redact("card 4111 1111 1111 1111 ok") == "card **** **** **** 1111 ok");
  CHECK(r.redact("4111-1111-1111-1111") == "****-****-****-1111");
  CHECK(r.redact("4111111111111111.") == "************1111.");
  CHECK(r.redact("amex 3782 822463 10005") == "amex **** ****** *0005");
  // A card followed by more digits in the same run: the card is found inside it.
  CHECK(r.redact("4111 1111 1111 1111 123") == "**** **** **** 1111 ***");
}

TEST_CASE("security codes after a card number are masked, elsewhere they stay") {
  const Redactor r;
  CHECK(r.redact("4111111111111111 CVV 123") == "************1111 CVV ***");
  CHECK(r.redact("4111 1111 1111 1111 exp 12/27 cvc: 1234") ==
        "**** **** **** 1111 exp 12/27 cvc: ****");
  CHECK(r.redact("4111111111111111, security code is 987.") ==
        "************1111, security code is ***.");
  CHECK(r.redact("no card here, CVV 123") == "no card here, CVV 123");
  CHECK(r.redact("room 123 on floor 4") == "room 123 on floor 4");
}

TEST_CASE("digit runs that are not card numbers stay") {
  const Redactor r;
  for (const std::string s :
       {"4111111111111112", "order 1234567890", "call +1 415 555 0100", "ID4111111111111111",
        "4111111111111111abc", "12345678901234567890123"}) {
    INFO(s);
    CHECK(r.redact(s) == s);
  }
}

TEST_CASE("Unix-ms times are not card numbers, Visa's 13-digit numbers are") {
  const Redactor r;
  // Every thousandth second of 2026 written as a Unix-ms time, in text and as a JSON number: one
  // in ten passes Luhn, and none may be masked.
  int luhn_passing = 0;
  for (std::int64_t ms = 1'767'225'600'000; ms < 1'798'761'600'000; ms += 1'000'003) {
    const std::string digits = std::to_string(ms);
    luhn_passing += passes_luhn(digits) ? 1 : 0;
    const std::string text = "due at " + digits + ", reminder sent";
    INFO(text);
    REQUIRE(r.redact(text) == text);
    REQUIRE(r.redact_json("{\"due_at\":" + digits + "}") == "{\"due_at\":" + digits + "}");
  }
  CHECK(luhn_passing > 1000);  // the loop did meet the times that used to be masked
  CHECK(r.redact("old visa 4222222222222") == "old visa *********2222");
  CHECK(r.redact_json(R"({"n":4222222222222})") == R"({"n":"*********2222"})");
}

TEST_CASE("configured patterns keep the last four digits of what they match") {
  const Redactor r({R"(\b[A-Z]{2}\d{6}[A-Z]\b)", R"(\+?\d[\d ()-]{8,}\d)"});
  CHECK(r.redact("passport AB123456C") == "passport ****3456*");
  CHECK(r.redact("reach me at +1 (415) 555-0100") == "reach me at +* (***) ***-0100");
  CHECK_THROWS_WITH(Redactor({"(unclosed"}), Catch::Contains("(unclosed"));
}

TEST_CASE("JSON documents have their strings and card-like integers redacted, keys kept") {
  const Redactor r;
  CHECK(r.redact_json(R"({"text":"4111 1111 1111 1111 cvv 123","n":4111111111111111,"k":5})") ==
        R"({"k":5,"n":"************1111","text":"**** **** **** 1111 cvv ***"})");
  CHECK(r.redact_json("not json 4111111111111111") == "not json ************1111");
}

TEST_CASE("a sealed raw payload opens with its key only") {
  const std::string key(kRawKeyBytes, 'k');
  const std::string sealed = seal_raw("Body=4111+1111+1111+1111", key);
  CHECK(is_sealed(sealed));
  CHECK(sealed.find("4111") == std::string::npos);
  CHECK(open_raw(sealed, key) == "Body=4111+1111+1111+1111");
  CHECK_FALSE(open_raw(sealed, std::string(kRawKeyBytes, 'x')));
  CHECK_THROWS(raw_key_from_hex("abc"));
  CHECK(raw_key_from_hex(std::string(64, 'a')).size() == kRawKeyBytes);
}

TEST_CASE("every generated card is masked; under 1% of look-alike sentences change") {
  CardCorpus corpus(20261203);
  const Redactor r;
  for (int i = 0; i < 10000; ++i) {
    const auto card = corpus.card();
    const auto code = corpus.code();
    const std::string text = corpus.card_sentence(card, code);
    const std::string out = r.redact(text);
    INFO(text << " -> " << out);
    REQUIRE(out.find(card.typed) == std::string::npos);
    // Masking keeps every length, so the card and its code are where the text has them. Four
    // of the card's digits stay readable (its last four, unless a shorter window of a longer
    // card passed Luhn: then that window's last four).
    const std::size_t at = text.find(card.typed);
    const std::string masked = out.substr(at, card.typed.size());
    REQUIRE(std::count_if(masked.begin(), masked.end(),
                          [](char c) { return c >= '0' && c <= '9'; }) == 4);
    REQUIRE(out.find(code, at + card.typed.size()) == std::string::npos);
  }
  int changed = 0;
  constexpr int kSentences = 10000;
  for (int i = 0; i < kSentences; ++i) {
    const std::string text = corpus.innocent_sentence();
    if (r.redact(text) != text) ++changed;
  }
  CHECK(changed * 100 < kSentences);
}
