#include <catch2/catch.hpp>

#include <string>

#include "reply_text.hpp"

using omnigate::email::ReplySplit;
using omnigate::email::split_reply;

namespace {

std::string without_whitespace(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c != ' ' && c != '\t' && c != '\r' && c != '\n') out += c;
  }
  return out;
}

// Splits and checks that nothing was lost on the way.
ReplySplit split(std::string_view text) {
  ReplySplit result = split_reply(text);
  CHECK(without_whitespace(result.new_text + result.signature + result.quoted) ==
        without_whitespace(text));
  return result;
}

}  // namespace

TEST_CASE("Gmail: a reply above the quoted message") {
  const auto r = split(
      "Thanks, that worked!\n\nOn Tue, 5 Mar 2024 at 10:12, Support <help@shop.example> wrote:\n"
      "> Please restart the router.\n>\n> Best, Ann\n");
  CHECK(r.new_text == "Thanks, that worked!");
  CHECK(r.signature.empty());
  CHECK(r.quoted ==
        "On Tue, 5 Mar 2024 at 10:12, Support <help@shop.example> wrote:\n"
        "> Please restart the router.\n>\n> Best, Ann\n");
}

TEST_CASE("a reply header wrapped onto two lines") {
  const auto r = split(
      "Still broken.\r\n\r\nOn Tue, Mar 5, 2024 at 10:12 AM Support Team of the Shop <\r\n"
      "help@shop.example> wrote:\r\n\r\n> Please restart the router.\r\n");
  CHECK(r.new_text == "Still broken.");
  CHECK(r.quoted.starts_with("On Tue, Mar 5, 2024 at 10:12 AM Support Team of the Shop <\r\n"));
}

TEST_CASE("Apple Mail and Thunderbird headers") {
  CHECK(
      split("Yes.\n\nOn 5 Mar 2024, at 10:12, Ann <ann@shop.example> wrote:\n\n> Q?\n").new_text ==
      "Yes.");
  CHECK(split("Yes.\n\nOn 05.03.24 10:12, Ann wrote:\n> Q?\n").new_text == "Yes.");
}

TEST_CASE("German, French, Spanish, Chinese and Japanese headers") {
  const char* const headers[] = {
      "Am 05.03.2024 um 10:12 schrieb Ann Example <ann@shop.example>:",
      "Le mar. 5 mars 2024 à 10:12, Ann <ann@shop.example> a écrit :",
      "El mar, 5 mar 2024 a las 10:12, Ann (<ann@shop.example>) escribió:",
      "在 2024年3月5日 星期二 10:12，Ann <ann@shop.example> 写道：",
      "2024年3月5日(火) 10:12 Ann <ann@shop.example>のメッセージ:",
  };
  for (const char* header : headers) {
    INFO(header);
    const auto r = split(std::string("Neue Nachricht.\n\n") + header + "\n> Alte Nachricht\n");
    CHECK(r.new_text == "Neue Nachricht.");
    CHECK(r.quoted == std::string(header) + "\n> Alte Nachricht\n");
  }
}

TEST_CASE("Outlook: -----Original Message----- and the underscore block") {
  const auto original = split(
      "Please see below.\n\n-----Original Message-----\nFrom: Ann <ann@shop.example>\n"
      "Sent: Tuesday, March 5, 2024 10:12 AM\nTo: Bob\nSubject: Order\n\nOld text\n");
  CHECK(original.new_text == "Please see below.");
  CHECK(original.quoted.starts_with("-----Original Message-----\n"));

  const auto underscores = split(
      "Danke!\n\nMit freundlichen Grüßen\nBob\n\n________________________________\n"
      "Von: Ann <ann@shop.example>\nGesendet: Dienstag, 5. März 2024 10:12\nAn: Bob\n"
      "Betreff: Bestellung\n\nAlter Text\n");
  CHECK(underscores.new_text == "Danke!\n\nMit freundlichen Grüßen\nBob");
  CHECK(underscores.quoted.starts_with("________________________________\nVon: Ann"));

  const auto bare_block = split(
      "OK\n\nFrom: Ann <ann@shop.example>\nSent: Tuesday, March 5, 2024 10:12 AM\n"
      "To: Bob <bob@example.com>\nSubject: RE: Order\n\nOld\n");
  CHECK(bare_block.new_text == "OK");
  CHECK(bare_block.quoted.starts_with("From: Ann"));
}

TEST_CASE("a \"From:\" line alone is not a quote header") {
  const auto r = split("From: the warehouse in Hamburg\nthe parcel left yesterday.\n");
  CHECK(r.new_text == "From: the warehouse in Hamburg\nthe parcel left yesterday.");
  CHECK(r.quoted.empty());
}

TEST_CASE("a bare > block at the end is quoted") {
  const auto r = split("I agree.\n\n> You wrote this\n> and this\n\n");
  CHECK(r.new_text == "I agree.");
  CHECK(r.quoted == "> You wrote this\n> and this\n\n");
}

TEST_CASE("answers written between or below the quotes stay new text") {
  const std::string interleaved =
      "On Tue, 5 Mar 2024 at 10:12, Ann <ann@shop.example> wrote:\n> Which colour?\n\nBlue.\n\n"
      "> Which size?\n\nXL.";
  const auto r = split(interleaved);
  CHECK(r.new_text == interleaved);
  CHECK(r.quoted.empty());
}

TEST_CASE("signatures: the -- delimiter and mobile footers") {
  const auto dashes = split(
      "Thanks!\n\n-- \nBob Example\nACME Ltd.\n\nOn 5 Mar 2024, Ann <a@shop.example> wrote:\n"
      "> Hello\n");
  CHECK(dashes.new_text == "Thanks!");
  CHECK(dashes.signature == "-- \nBob Example\nACME Ltd.");
  CHECK(dashes.quoted.starts_with("On 5 Mar 2024"));

  CHECK(split("Thanks!\n--\nBob").signature == "--\nBob");

  for (const char* footer :
       {"Sent from my iPhone", "Envoyé de mon iPhone", "Von meinem iPhone gesendet",
        "Sent from my Android phone", "Get Outlook for iOS"}) {
    INFO(footer);
    const auto r = split(std::string("On my way.\n\n") + footer +
                         "\n\n> On 5 Mar 2024, Ann wrote:\n> Where are you?\n");
    CHECK(r.new_text == "On my way.");
    CHECK(r.signature == footer);
    CHECK(r.quoted.starts_with("> On 5 Mar 2024"));
  }
}

TEST_CASE("a footer that is not at the end is the customer's text") {
  const auto r = split("Sent from my iPhone the photo did not arrive, please check.\nThanks");
  CHECK(r.signature.empty());
  CHECK(r.new_text == "Sent from my iPhone the photo did not arrive, please check.\nThanks");
}

TEST_CASE("text without quotes or signature is all new text") {
  const auto r = split("Hello,\n\nmy order 1234 has not arrived.\n\nOn Monday I wrote to you.\n\n");
  CHECK(r.new_text == "Hello,\n\nmy order 1234 has not arrived.\n\nOn Monday I wrote to you.");
  CHECK(r.signature.empty());
  CHECK(r.quoted.empty());
  CHECK(split("").new_text.empty());
}
