#include "store/identity.hpp"

#include <catch2/catch.hpp>

using omnigate::store::normalise_address;
using omnigate::store::normalise_email;
using omnigate::store::normalise_phone;

TEST_CASE("phone numbers become E.164") {
  CHECK(normalise_phone("+1 (555) 123-4567") == "+15551234567");
  CHECK(normalise_phone("0049 30.1234.5678") == "+493012345678");
  CHECK(normalise_phone("  +44 20 7946 0958 ") == "+442079460958");
}

TEST_CASE("odd phone numbers are kept trimmed instead of rejected") {
  CHECK(normalise_phone(" 12345 ") == "12345");      // no country code
  CHECK(normalise_phone("+1234567") == "+1234567");  // 7 digits: too short, kept raw
  CHECK(normalise_phone("+1234567890123456") == "+1234567890123456");  // 16 digits: kept raw
  CHECK(normalise_phone("+1 555 CALL NOW") == "+1 555 CALL NOW");
  CHECK(normalise_phone("+12345678") == "+12345678");  // 8 digits: the shortest accepted
}

TEST_CASE("e-mail addresses are trimmed and lower-cased") {
  CHECK(normalise_email("  Alice.Smith@Example.COM\t") == "alice.smith@example.com");
}

TEST_CASE("normalise_address dispatches on the identity kind") {
  CHECK(normalise_address("phone", "00 1 555 123 4567") == "+15551234567");
  CHECK(normalise_address("email", "Bob@X.org") == "bob@x.org");
  CHECK(normalise_address("webchat", "  Session-ABC ") == "Session-ABC");
}
