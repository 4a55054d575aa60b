#include "voice_config.hpp"

#include <catch2/catch.hpp>

using namespace omnigate::voice;

namespace {
const std::string kSid = "AC0123456789abcdef0123456789abcdef";
std::string with(const std::string& more) {
  return R"({"account_sid": ")" + kSid + R"(", "auth_token": "t")" +
         (more.empty() ? "" : ", " + more) + "}";
}
std::string refusal(const std::string& json) {
  try {
    parse_config(json);
  } catch (const omnigate::Error& e) {
    CHECK(e.status() == OG_CONFIG);
    return e.what();
  }
  return "accepted";
}
}  // namespace

TEST_CASE("voice config: defaults") {
  const auto c = parse_config(with(""));
  CHECK(c.api_base == "https://api.twilio.com");
  CHECK(c.skills.size() == 1);
  CHECK(c.skills[0].skill == "voice");
  CHECK(c.ring_timeout_s == 20);
  CHECK(c.ivr.options.empty());
  CHECK(!c.service_hours);
  CHECK(c.texts("en").queue_position == "You are number {position} in the queue.");
  CHECK(c.texts("xx").greeting == c.texts("en").greeting);  // unknown language: the default
}

TEST_CASE("voice config: IVR options, languages and tiers") {
  const auto c = parse_config(with(R"(
    "languages": {"de": {"say_language": "de-DE", "greeting": "Willkommen", "greeting_by_tier": {"S": "Willkommen zurück"}}},
    "ivr": {"timeout_s": 3, "attempts": 3, "options": [
      {"digit": "1", "speech": ["Billing", "invoice"], "label": "Billing", "skills": [{"skill": "billing", "min_level": 2}], "priority": 2},
      {"digit": "2", "label": "Deutsch", "language": "de"},
      {"digit": "9", "label": "Voicemail", "action": "voicemail"}]})"));
  CHECK(c.ivr.timeout_s == 3);
  CHECK(c.ivr.attempts == 3);
  REQUIRE(c.ivr.options.size() == 3);
  CHECK(c.ivr.options[0].skills[0].min_level == 2);
  CHECK(c.ivr.options[2].voicemail);
  CHECK(c.texts("de").greeting == "Willkommen");
  CHECK(c.texts("de").greeting_by_tier.at("S") == "Willkommen zurück");
  CHECK(c.texts("de").menu == Texts{}.menu);  // what a language does not name stays English

  CHECK(c.ivr_option("1", "")->label == "Billing");
  CHECK(c.ivr_option("", "I have a question about my INVOICE")->label == "Billing");
  CHECK(c.ivr_option("", "billing")->label == "Billing");
  CHECK(c.ivr_option("7", "") == nullptr);
  CHECK(c.ivr_option("", "something else") == nullptr);
  CHECK(c.ivr_option("", "") == nullptr);
  CHECK(c.ivr_option("1", "voicemail")->label == "Billing");  // keys win over speech
}

TEST_CASE("voice config: refusals name the key") {
  CHECK(refusal(R"({"auth_token": "t"})") == "account_sid: is required");
  CHECK(refusal(with(R"("ring_timeout_s": 2)")) == "ring_timeout_s: must be between 5 and 120");
  CHECK(refusal(with(R"("colour": "red")")) == "colour: unknown key");
  CHECK(refusal(with(R"("blocked_numbers": ["0800 123"])")) ==
        "blocked_numbers[0]: must be an E.164 number");
  CHECK(refusal(with(R"("ivr": {"options": [{"digit": "12"}]})")) ==
        "ivr.options[0].digit: must be one key: 0-9, * or #");
  CHECK(refusal(with(R"("ivr": {"options": [{"digit": "1"}, {"digit": "1"}]})")) ==
        "ivr.options[1].digit: is used by another option");
  CHECK(refusal(with(R"("ivr": {"options": [{"digit": "1", "action": "dance"}]})")) ==
        "ivr.options[0].action: must be queue or voicemail");
  CHECK(refusal(with(R"("ivr": {"options": [{"digit": "1", "language": "fr"}]})")) ==
        "ivr.options: language fr is not in languages");
  CHECK(refusal(with(R"("languages": {"en": {"greting": "x"}})")) ==
        "languages.en.greting: unknown text");
  CHECK(refusal(with(R"("languages": {"en": {"greeting_by_tier": {"Z": "x"}}})")) ==
        "languages.en.greeting_by_tier.Z: must be a tier S, A, B or C");
  CHECK(refusal(with(R"("api_base": "ftp://x")")) ==
        "api_base: must be an http:// or https:// URL");
}

TEST_CASE("voice config: fill replaces only the named placeholder") {
  CHECK(fill("You are number {position}. {position}!", "position", "3") == "You are number 3. 3!");
  CHECK(fill("about {minutes} min {position}", "minutes", "2") == "about 2 min {position}");
}
