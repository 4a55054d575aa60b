#include "store/identity.hpp"

#include <catch2/catch.hpp>

#include <string>

using omnigate::store::e164;
using omnigate::store::Identity;
using omnigate::store::identity_match_key;
using omnigate::store::is_phone_region;
using omnigate::store::kMaxAddressBytes;
using omnigate::store::normalise_email;
using omnigate::store::parse_identity;

namespace {
std::string kind_of(std::string_view kind, std::string_view raw) {
  return parse_identity(kind, raw, "").kind;
}
std::string address_of(std::string_view kind, std::string_view raw) {
  return parse_identity(kind, raw, "").address;
}
}  // namespace

TEST_CASE("international phone numbers of several countries become E.164") {
  CHECK(e164("+1 (201) 555-0123") == "+12015550123");    // US
  CHECK(e164("+44 20 7946 0958") == "+442079460958");    // UK
  CHECK(e164("+49 30 1234 5678") == "+493012345678");    // Germany
  CHECK(e164("+33 6 12 34 56 78") == "+33612345678");    // France, mobile
  CHECK(e164("+91 98765 43210") == "+919876543210");     // India
  CHECK(e164("+86 138 0013 8000") == "+8613800138000");  // China
  CHECK(e164("+61 4 1234 5678") == "+61412345678");      // Australia
  CHECK(e164("  +15551234567 ") == "+15551234567");      // what Twilio sends, spaces trimmed
  const Identity id = parse_identity("phone", "+44 20 7946 0958", "");
  CHECK(id.kind == "phone");
  CHECK(id.address == "+442079460958");
  CHECK(id.problem.empty());
}

TEST_CASE("numbers that are not international phone numbers are refused") {
  CHECK_FALSE(e164("hello"));
  CHECK_FALSE(e164("1234567890123456789012345678901234567890"));   // 40 digits, no "+"
  CHECK_FALSE(e164("+1234567890123456789012345678901234567890"));  // 40 digits
  CHECK_FALSE(e164("+1234567"));                                   // too short for any country
  CHECK_FALSE(e164("+999 1234 5678"));                             // no such country code
  CHECK_FALSE(e164("+44 20 7946"));                                // too short for the UK
  // National formats: no channel says which country they belong to, so they are not guessed.
  CHECK_FALSE(e164("020 7946 0958"));
  CHECK_FALSE(e164("(201) 555-0123"));
  CHECK_FALSE(e164("0044 20 7946 0958"));  // the international call prefix differs by country
  CHECK_FALSE(e164(""));
}

TEST_CASE("Twilio's channel prefixes are identities of their own kind") {
  const Identity wa = parse_identity("phone", "whatsapp:+14155238886", "");
  CHECK(wa.kind == "whatsapp");
  CHECK(wa.address == "whatsapp:+14155238886");  // the address a reply goes to
  CHECK(wa.problem.empty());
  CHECK(address_of("phone", "whatsapp:+44 20 7946 0958") == "whatsapp:+442079460958");
  CHECK(kind_of("phone", "rcs:+12015550123") == "rcs");
  CHECK(address_of("phone", "rcs:+12015550123") == "rcs:+12015550123");
  const Identity fb = parse_identity("phone", "messenger:1234567890123456", "");
  CHECK(fb.kind == "messenger");
  CHECK(fb.address == "messenger:1234567890123456");
  // The same number on WhatsApp and by SMS: two identities (two channels to answer on).
  CHECK(address_of("phone", "+14155238886") != address_of("phone", "whatsapp:+14155238886"));
}

TEST_CASE("a channel prefix with a bad address behind it is unverified") {
  CHECK(kind_of("phone", "whatsapp:hello") == "unverified");
  CHECK(kind_of("phone", "whatsapp:") == "unverified");
  CHECK(kind_of("phone", "messenger:abc") == "unverified");
  CHECK(kind_of("phone", "rcs:+1234") == "unverified");
  CHECK(parse_identity("phone", "whatsapp:hello", "").problem ==
        "from_address: not a whatsapp address");
}

TEST_CASE("garbage in a phone sender is unverified, kept as repaired text, never a phone") {
  const Identity hello = parse_identity("phone", " hello ", "");
  CHECK(hello.kind == "unverified");
  CHECK(hello.address == "hello");
  CHECK(hello.problem == "from_address: not a phone number in international format");

  const std::string forty(40, '7');
  CHECK(kind_of("phone", forty) == "unverified");
  CHECK(kind_of("phone", "+" + forty) == "unverified");
  CHECK(address_of("phone", forty) == forty);

  const Identity bytes = parse_identity("phone", "+1555\xFF\xFE", "");
  CHECK(bytes.kind == "unverified");
  CHECK(bytes.address == "+1555\xEF\xBF\xBD\xEF\xBF\xBD");  // U+FFFD per invalid byte
  CHECK(bytes.problem == "from_address: not UTF-8");

  const Identity huge = parse_identity("phone", std::string(5000, 'x'), "");
  CHECK(huge.kind == "unverified");
  CHECK(huge.address.size() == kMaxAddressBytes);
}

TEST_CASE("unverified addresses are cut at a character boundary") {
  std::string text(kMaxAddressBytes - 1, 'a');
  text += "\xE2\x82\xAC\xE2\x82\xAC";  // "€€": the cut would fall inside the first one
  const Identity id = parse_identity("phone", text, "");
  CHECK(id.address == std::string(kMaxAddressBytes - 1, 'a'));
}

TEST_CASE("e-mail addresses: trimmed, the domain lower-cased, the local part kept (RFC 5321)") {
  CHECK(normalise_email("  Alice.Smith@Example.COM\t") == "Alice.Smith@example.com");
  CHECK(address_of("email", "Bob@X.org") == "Bob@x.org");
  CHECK(address_of("email", "bob@x.org") == "bob@x.org");  // another mailbox, as far as RFC goes
  CHECK(kind_of("email", "Bob@X.org") == "email");
  // Only the last '@' separates the domain: a quoted local part may hold one.
  CHECK(normalise_email("\"A@B\"@Mail.EXAMPLE") == "\"A@B\"@mail.example");
  CHECK(normalise_email("no-at-sign") == "no-at-sign");
}

TEST_CASE("national numbers are read in the configured region, international ones anywhere") {
  CHECK(e164("(415) 555-0100", "US") == "+14155550100");
  CHECK(e164("415.555.0100", "US") == "+14155550100");
  CHECK(e164("+1 415 555 0100", "US") == "+14155550100");
  CHECK(e164("+14155550100", "DE") == "+14155550100");  // "+" wins over the region
  CHECK(e164("030 1234 5678", "DE") == "+493012345678");
  CHECK(e164("020 7946 0958", "GB") == "+442079460958");
  CHECK(e164("138 0013 8000", "CN") == "+8613800138000");
  CHECK_FALSE(e164("(415) 555-0100"));  // no region: national formats are not numbers
  CHECK_FALSE(e164("555-01", "US"));    // too short for the region
}

TEST_CASE("a national-format sender becomes the phone identity of its international spelling") {
  const Identity national = parse_identity("phone", "(415) 555-0100", "US");
  const Identity international = parse_identity("phone", "+14155550100", "US");
  CHECK(national.kind == "phone");
  CHECK(national.address == "+14155550100");
  CHECK(national.address == international.address);
  CHECK(parse_identity("phone", "whatsapp:(415) 555-0100", "US").address ==
        "whatsapp:+14155550100");
  // Without a region the same sender stays unverified, and says why.
  const Identity unknown = parse_identity("phone", "(415) 555-0100", "");
  CHECK(unknown.kind == "unverified");
  CHECK(unknown.problem == "from_address: not a phone number in international format");
  // The per-thread memo keys on the region too: the same text reads differently per region.
  CHECK(parse_identity("phone", "0301234567", "DE").address == "+49301234567");
  CHECK(parse_identity("phone", "0301234567", "").kind == "unverified");
}

TEST_CASE("regions are ISO 3166 codes with phone numbering") {
  CHECK(is_phone_region("US"));
  CHECK(is_phone_region("CN"));
  CHECK_FALSE(is_phone_region("us"));
  CHECK_FALSE(is_phone_region("ZZ"));
  CHECK_FALSE(is_phone_region("USA"));
  CHECK_FALSE(is_phone_region(""));
}

TEST_CASE("match keys pair one number across channels and one mailbox across case") {
  CHECK(identity_match_key("phone", "+14155550100") == "tel:+14155550100");
  CHECK(identity_match_key("whatsapp", "whatsapp:+14155550100") == "tel:+14155550100");
  CHECK(identity_match_key("email", "Ann@example.com") == "mailto:ann@example.com");
  CHECK(identity_match_key("webchat", "session-1").empty());
  CHECK(identity_match_key("unverified", "(415) 555-0100").empty());
}

TEST_CASE("other kinds are trimmed, and unverified only when not UTF-8 or absurdly long") {
  CHECK(address_of("webchat", "  Session-ABC ") == "Session-ABC");
  CHECK(kind_of("webchat", "Session-ABC") == "webchat");
  CHECK(kind_of("webchat", "whatsapp:+14155238886") == "webchat");  // prefixes are Twilio's
  CHECK(kind_of("webchat", "s\xC3") == "unverified");
  CHECK(kind_of("email", std::string(300, 'a') + "@x.org") == "unverified");
}
