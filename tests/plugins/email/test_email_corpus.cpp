// Reads every mail of the corpus with read_email() and compares the fields its
// NN-name.expected.json names (fields it does not name are not compared):
//   exact: subject message_id in_reply_to references from{name,address} to cc reply_to date_ms
//          text html new_text quoted_text signature kind kind_reason malformed charsets
//          bounce{...} authentication{...}
//          attachments: [{filename content_type size sha256 content_id disposition}] (the
//          count always, each entry's named fields); attachment_count alone
//   lists: text_contains text_excludes new_text_contains quoted_contains signature_contains
//          html_contains html_excludes problems_contain
//   limits: {max_message_bytes max_header_bytes max_parts max_depth} read with these limits
// Every mail is also checked for what holds for any input: all text valid UTF-8, `malformed`
// exactly when there are problems.
#include "email_reader.hpp"

#include <glib.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using nlohmann::json;
using omnigate::email::MailAddress;
using omnigate::email::MailKind;
using omnigate::email::ParsedEmail;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct CorpusMail {
  std::string name;  // NN-short-name
  fs::path eml;
  fs::path expected;
};

std::vector<CorpusMail> corpus() {
  std::vector<CorpusMail> mails;
  const std::string suffix = ".expected.json";
  for (const auto& entry : fs::directory_iterator(OG_EMAIL_CORPUS_DIR)) {
    const std::string file = entry.path().filename().string();
    if (file.size() <= suffix.size() ||
        file.compare(file.size() - suffix.size(), suffix.size(), suffix) != 0)
      continue;
    const std::string name = file.substr(0, file.size() - suffix.size());
    fs::path eml = fs::path(OG_EMAIL_CORPUS_DIR) / (name + ".eml");
    if (!fs::exists(eml)) eml = fs::path(OG_EMAIL_GENERATED_CORPUS_DIR) / (name + ".eml");
    mails.push_back({name, eml, entry.path()});
  }
  std::sort(mails.begin(), mails.end(),
            [](const CorpusMail& a, const CorpusMail& b) { return a.name < b.name; });
  return mails;
}

std::string sha256(const std::string& data) {
  gchar* hex = g_compute_checksum_for_data(
      G_CHECKSUM_SHA256, reinterpret_cast<const guchar*>(data.data()), data.size());
  std::string out = hex;
  g_free(hex);
  return out;
}

const char* kind_name(MailKind kind) {
  switch (kind) {
    case MailKind::message:
      return "message";
    case MailKind::auto_reply:
      return "auto_reply";
    case MailKind::bounce:
      return "bounce";
  }
  return "?";
}

bool valid_utf8(const std::string& text) {
  return g_utf8_validate_len(text.data(), text.size(), nullptr);
}

void check_address(const json& expected, const MailAddress& actual) {
  if (expected.contains("name")) CHECK(actual.name == expected["name"].get<std::string>());
  if (expected.contains("address")) CHECK(actual.address == expected["address"].get<std::string>());
}

void check_addresses(const json& expected, const std::vector<MailAddress>& actual) {
  REQUIRE(actual.size() == expected.size());
  for (std::size_t i = 0; i < actual.size(); ++i) check_address(expected[i], actual[i]);
}

void check_contains(const json& expected, const char* list, const std::string& actual, bool want) {
  if (!expected.contains(list)) return;
  for (const auto& needle : expected[list]) {
    INFO(list << ": " << needle.get<std::string>());
    CHECK((actual.find(needle.get<std::string>()) != std::string::npos) == want);
  }
}

void check_string(const json& expected, const char* field, const std::string& actual) {
  if (!expected.contains(field)) return;
  INFO(field);
  CHECK(actual == expected[field].get<std::string>());
}

void check_invariants(const ParsedEmail& mail) {
  CHECK(mail.malformed == !mail.problems.empty());
  std::vector<const std::string*> texts = {&mail.message_id,
                                           &mail.in_reply_to,
                                           &mail.from.name,
                                           &mail.from.address,
                                           &mail.subject,
                                           &mail.text,
                                           &mail.html,
                                           &mail.new_text,
                                           &mail.quoted_text,
                                           &mail.signature,
                                           &mail.kind_reason,
                                           &mail.bounce.original_message_id,
                                           &mail.bounce.recipient,
                                           &mail.bounce.diagnostic,
                                           &mail.authentication.raw};
  for (const auto& attachment : mail.attachments) texts.push_back(&attachment.filename);
  for (const auto& problem : mail.problems) texts.push_back(&problem);
  for (const std::string* text : texts) {
    INFO(*text);
    CHECK(valid_utf8(*text));
  }
}

void check_mail(const json& expected, const ParsedEmail& mail) {
  check_invariants(mail);
  check_string(expected, "subject", mail.subject);
  check_string(expected, "message_id", mail.message_id);
  check_string(expected, "in_reply_to", mail.in_reply_to);
  if (expected.contains("references"))
    CHECK(mail.references == expected["references"].get<std::vector<std::string>>());
  if (expected.contains("from")) check_address(expected["from"], mail.from);
  if (expected.contains("to")) check_addresses(expected["to"], mail.to);
  if (expected.contains("cc")) check_addresses(expected["cc"], mail.cc);
  if (expected.contains("reply_to")) check_addresses(expected["reply_to"], mail.reply_to);
  if (expected.contains("date_ms")) CHECK(mail.date_ms == expected["date_ms"].get<int64_t>());
  check_string(expected, "text", mail.text);
  check_string(expected, "html", mail.html);
  check_string(expected, "new_text", mail.new_text);
  check_string(expected, "quoted_text", mail.quoted_text);
  check_string(expected, "signature", mail.signature);
  if (expected.contains("kind")) CHECK(kind_name(mail.kind) == expected["kind"].get<std::string>());
  check_string(expected, "kind_reason", mail.kind_reason);
  if (expected.contains("malformed")) CHECK(mail.malformed == expected["malformed"].get<bool>());
  if (expected.contains("charsets"))
    CHECK(mail.charsets == expected["charsets"].get<std::vector<std::string>>());
  if (expected.contains("bounce")) {
    const json& bounce = expected["bounce"];
    check_string(bounce, "original_message_id", mail.bounce.original_message_id);
    check_string(bounce, "recipient", mail.bounce.recipient);
    check_string(bounce, "action", mail.bounce.action);
    check_string(bounce, "status", mail.bounce.status);
    check_string(bounce, "diagnostic", mail.bounce.diagnostic);
  }
  if (expected.contains("authentication")) {
    const json& authentication = expected["authentication"];
    check_string(authentication, "spf", mail.authentication.spf);
    check_string(authentication, "dkim", mail.authentication.dkim);
    check_string(authentication, "dmarc", mail.authentication.dmarc);
    check_string(authentication, "raw", mail.authentication.raw);
  }
  if (expected.contains("attachments")) {
    const json& attachments = expected["attachments"];
    REQUIRE(mail.attachments.size() == attachments.size());
    for (std::size_t i = 0; i < attachments.size(); ++i) {
      INFO("attachment " << i);
      const json& want = attachments[i];
      const auto& got = mail.attachments[i];
      check_string(want, "filename", got.filename);
      check_string(want, "content_type", got.content_type);
      check_string(want, "content_id", got.content_id);
      check_string(want, "disposition", got.disposition);
      if (want.contains("size")) CHECK(got.data.size() == want["size"].get<std::size_t>());
      if (want.contains("sha256")) CHECK(sha256(got.data) == want["sha256"].get<std::string>());
    }
  }
  if (expected.contains("attachment_count"))
    CHECK(mail.attachments.size() == expected["attachment_count"].get<std::size_t>());
  check_contains(expected, "text_contains", mail.text, true);
  check_contains(expected, "text_excludes", mail.text, false);
  check_contains(expected, "new_text_contains", mail.new_text, true);
  check_contains(expected, "quoted_contains", mail.quoted_text, true);
  check_contains(expected, "signature_contains", mail.signature, true);
  check_contains(expected, "html_contains", mail.html, true);
  check_contains(expected, "html_excludes", mail.html, false);
  if (expected.contains("problems_contain")) {
    for (const auto& needle : expected["problems_contain"]) {
      INFO("problems_contain: " << needle.get<std::string>());
      CHECK(std::any_of(mail.problems.begin(), mail.problems.end(), [&](const std::string& p) {
        return p.find(needle.get<std::string>()) != std::string::npos;
      }));
    }
  }
}

}  // namespace

TEST_CASE("the corpus covers the cases of the e-mail channel") {
  CHECK(corpus().size() >= 40);
}

TEST_CASE("every corpus mail reads as its expected result says") {
  for (const CorpusMail& entry : corpus()) {
    DYNAMIC_SECTION(entry.name) {
      REQUIRE(fs::exists(entry.eml));
      const json expected = json::parse(read_file(entry.expected));
      omnigate::email::ReadOptions options;
      if (expected.contains("limits")) {
        const json& limits = expected["limits"];
        options.limits.max_message_bytes =
            limits.value("max_message_bytes", options.limits.max_message_bytes);
        options.limits.max_header_bytes =
            limits.value("max_header_bytes", options.limits.max_header_bytes);
        options.limits.max_parts = limits.value("max_parts", options.limits.max_parts);
        options.limits.max_depth = limits.value("max_depth", options.limits.max_depth);
      }
      const std::string raw = read_file(entry.eml);
      check_mail(expected, omnigate::email::read_email(raw, options));
    }
  }
}
