// Transcript and reply mails composed, then read back by the e-mail plugin's reader (GMime) as
// a mail client would: headers decoded, both bodies, UTF-8 and CJK intact, HTML escaped.
#include "email_reader.hpp"
#include "transcript_mail.hpp"

#include <omnigate/plugin.hpp>

#include <catch2/catch.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validator.hpp>

#include <chrono>

using namespace omnigate::webchat;
using nlohmann::json;
using omnigate::email::read_email;

namespace {

MailSettings settings() {
  MailSettings s;
  s.smtp_url = "smtp://127.0.0.1:2525";
  s.from_address = "chat@example.org";
  s.from_name = "Beispiel GmbH — 客服";
  return s;
}

// 2026-03-29T08:15:30Z and a minute later.
constexpr int64_t kAt = 1774772130000;

std::vector<TranscriptLine> sample_lines() {
  return {
      {"visitor", "李雷", "你好，我的订单 <b>#42</b> & \"mehr\"", kAt, {}},
      {"event", "", "Anna Müller joined the chat", kAt + 30000, {}},
      {"agent", "Anna Müller", "Guten Tag!\nIch sehe nach.", kAt + 60000, {"rechnung <1>.pdf"}},
      {"visitor", "", "Danke", kAt + 61999, {}},
  };
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

bool only_crlf(const std::string& raw) {
  for (std::size_t i = 0; i < raw.size(); ++i)
    if (raw[i] == '\n' && (i == 0 || raw[i - 1] != '\r')) return false;
  return true;
}

std::string config_refusal(const json& mail) {
  try {
    MailSettings::from_json(mail);
  } catch (const omnigate::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a transcript mail reads back with both bodies, every name and text intact") {
  const int64_t before = now_ms();
  const std::string raw =
      compose_transcript_mail(settings(), "li.lei@example.com", "Beispiel 网站", sample_lines());
  CHECK(only_crlf(raw));
  const auto mail = read_email(raw);
  REQUIRE_FALSE(mail.malformed);
  CHECK(mail.subject == "Your chat with Beispiel 网站");
  CHECK(mail.from.name == "Beispiel GmbH — 客服");
  CHECK(mail.from.address == "chat@example.org");
  REQUIRE(mail.to.size() == 1);
  CHECK(mail.to[0].address == "li.lei@example.com");
  CHECK(mail.message_id.size() > std::string("@example.org").size());
  CHECK(mail.message_id.ends_with("@example.org"));
  CHECK(mail.date_ms / 1000 >= before / 1000);
  CHECK(mail.date_ms <= now_ms());
  CHECK(mail.attachments.empty());

  CHECK(mail.text.find("[2026-03-29T08:15:30Z] 李雷: 你好，我的订单 <b>#42</b> & \"mehr\"") !=
        std::string::npos);
  CHECK(mail.text.find("[2026-03-29T08:16:00Z] Anna Müller joined the chat") != std::string::npos);
  CHECK(mail.text.find("[2026-03-29T08:16:30Z] Anna Müller: Guten Tag!\n  Ich sehe nach.\n"
                       "  Attachment: rechnung <1>.pdf") != std::string::npos);
  CHECK(mail.text.find("[2026-03-29T08:16:31Z] Visitor: Danke") != std::string::npos);

  // The visitor's markup arrives as text, not as elements.
  CHECK(mail.html.find("你好，我的订单 &lt;b&gt;#42&lt;/b&gt; &amp;") != std::string::npos);
  CHECK(mail.html.find("<b>#42") == std::string::npos);
  CHECK(mail.html.find("rechnung &lt;1&gt;.pdf") != std::string::npos);
  CHECK(mail.html.find("Guten Tag!<br>Ich sehe nach.") != std::string::npos);
  CHECK(mail.html.find("Anna Müller") != std::string::npos);
}

TEST_CASE("two transcripts get different Message-IDs") {
  const auto a = read_email(compose_transcript_mail(settings(), "v@example.com", "S", {}));
  const auto b = read_email(compose_transcript_mail(settings(), "v@example.com", "S", {}));
  CHECK(a.message_id != b.message_id);
  CHECK(a.text.find("Your chat with S") != std::string::npos);
}

TEST_CASE("a reply mail is threaded and keeps its Message-ID for the same seed") {
  const std::string raw = compose_reply_mail(settings(), "kunde@example.com", "Re: Lieferung 配送",
                                             "Hallo,\n\n已发货。\n", "Anna Müller", "wc.42.7",
                                             "offline.42@example.org");
  CHECK(only_crlf(raw));
  const auto mail = read_email(raw);
  REQUIRE_FALSE(mail.malformed);
  CHECK(mail.subject == "Re: Lieferung 配送");
  CHECK(mail.from.name == "Anna Müller (Beispiel GmbH — 客服)");
  CHECK(mail.from.address == "chat@example.org");
  REQUIRE(mail.to.size() == 1);
  CHECK(mail.to[0].address == "kunde@example.com");
  CHECK(mail.message_id == "wc.42.7@example.org");
  CHECK(mail.in_reply_to == "offline.42@example.org");
  CHECK(mail.references == std::vector<std::string>{"offline.42@example.org"});
  CHECK(mail.text == "Hallo,\n\n已发货。\n");
  CHECK(mail.html.empty());

  const auto again = read_email(
      compose_reply_mail(settings(), "kunde@example.com", "Re: x", "y", "", "wc.42.7", ""));
  CHECK(again.message_id == "wc.42.7@example.org");
  CHECK(again.in_reply_to.empty());
  CHECK(again.from.name == "Beispiel GmbH — 客服");
}

TEST_CASE("header injection is refused") {
  const MailSettings s = settings();
  CHECK_THROWS_AS(compose_transcript_mail(s, "v@example.com\r\nBcc: all@example.net", "S", {}),
                  std::invalid_argument);
  CHECK_THROWS_AS(compose_transcript_mail(s, "v@example.com", "Site\r\nBcc: all@example.net", {}),
                  std::invalid_argument);
  CHECK_THROWS_AS(compose_transcript_mail(s, "not an address", "S", {}), std::invalid_argument);
  CHECK_THROWS_AS(compose_reply_mail(s, "v@example.com\nBcc: a@b.c", "Re", "b", "A", "x1", ""),
                  std::invalid_argument);
  CHECK_THROWS_AS(compose_reply_mail(s, "v@example.com", "Re\r\nBcc: a@b.c", "b", "A", "x1", ""),
                  std::invalid_argument);
  CHECK_THROWS_AS(compose_reply_mail(s, "v@example.com", "Re", "b", "Anna\nBcc: a@b.c", "x1", ""),
                  std::invalid_argument);
  CHECK_THROWS_AS(compose_reply_mail(s, "v@example.com", "Re", "b", "A", "x1", "id@x\r\nBcc: a"),
                  std::invalid_argument);
  for (const char* seed : {"", "a b", "a@b", "a>b", "a\r\nb"}) {
    INFO(seed);
    CHECK_THROWS_AS(compose_reply_mail(s, "v@example.com", "Re", "b", "A", seed, ""),
                    std::invalid_argument);
  }
  CHECK_THROWS_AS(compose_transcript_mail(s, "v@example.com", "S", {{"bot", "", "x", 0, {}}}),
                  std::invalid_argument);
}

TEST_CASE("the mail config") {
  const json good = {{"smtp_url", "smtp://mail.example.org:587"},
                     {"username", "chat"},
                     {"password", "s3cret"},
                     {"from_address", "chat@example.org"},
                     {"from_name", "Beispiel"},
                     {"starttls", true},
                     {"timeout_ms", 5000}};
  const MailSettings s = MailSettings::from_json(good);
  CHECK(s.smtp_url == "smtp://mail.example.org:587");
  CHECK(s.username == "chat");
  CHECK(s.password == "s3cret");
  CHECK(s.from_address == "chat@example.org");
  CHECK(s.from_name == "Beispiel");
  CHECK(s.starttls);
  CHECK(s.timeout_ms == 5000);
  const MailSettings minimal = MailSettings::from_json(
      {{"smtp_url", "smtps://[::1]"}, {"from_address", "chat@example.org"}});
  CHECK_FALSE(minimal.starttls);
  CHECK(minimal.timeout_ms == 30000);

  auto with = [&](const char* key, const json& value) {
    json j = good;
    j[key] = value;
    return config_refusal(j);
  };
  auto without = [&](const char* key) {
    json j = good;
    j.erase(key);
    return config_refusal(j);
  };
  CHECK(without("smtp_url") == "mail.smtp_url: is required");
  CHECK(without("from_address") == "mail.from_address: is required");
  for (const char* url : {"http://mail.example.org", "smtp://", "smtp://u:p@mail.example.org",
                          "smtp://mail.example.org/path", "smtp://mail.example.org?x=1",
                          "mail.example.org:25", "smtp://mail.example.org:99999"}) {
    INFO(url);
    CHECK(with("smtp_url", url).rfind("mail.smtp_url: ", 0) == 0);
  }
  CHECK(config_refusal({{"smtp_url", "smtps://mail.example.org"},
                        {"from_address", "chat@example.org"},
                        {"starttls", true}})
            .rfind("mail.starttls: ", 0) == 0);
  for (const char* address : {"chat", "@example.org", "chat@", "a@b@c", "chat@example.org\r\nX"}) {
    INFO(address);
    CHECK(with("from_address", address).rfind("mail.from_address: ", 0) == 0);
  }
  CHECK(with("from_name", "Beispiel\r\nBcc: a@b.c") == "mail.from_name: must be one line");
  CHECK(with("starttls", "yes").rfind("mail.starttls: ", 0) == 0);
  CHECK(with("timeout_ms", 999).rfind("mail.timeout_ms: ", 0) == 0);
  CHECK(with("timeout_ms", 600001).rfind("mail.timeout_ms: ", 0) == 0);
  CHECK(with("password", 1).rfind("mail.password: ", 0) == 0);
  CHECK(with("smtp_host", "x") == "mail.smtp_host: unknown key");
  CHECK(config_refusal("smtp://x") == "mail: must be an object");
}

TEST_CASE("kMailSchema is draft-07 that accepts what from_json accepts") {
  valijson::Schema schema;
  valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
  const json schema_document = json::parse(kMailSchema);
  parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(schema_document), schema);
  auto valid = [&](const json& config) {
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    return validator.validate(schema, valijson::adapters::NlohmannJsonAdapter(config), nullptr);
  };
  const json good = {{"smtp_url", "smtp://mail.example.org:587"},
                     {"username", "chat"},
                     {"password", "s3cret"},
                     {"from_address", "chat@example.org"},
                     {"from_name", "Beispiel"},
                     {"starttls", true},
                     {"timeout_ms", 5000}};
  CHECK(valid(good));
  CHECK_NOTHROW(MailSettings::from_json(good));
  CHECK(valid({{"smtp_url", "smtps://[::1]:465"}, {"from_address", "chat@example.org"}}));
  CHECK_FALSE(valid({{"smtp_url", "http://mail.example.org"}, {"from_address", "c@example.org"}}));
  CHECK_FALSE(
      valid({{"smtp_url", "smtp://u@mail.example.org"}, {"from_address", "c@example.org"}}));
  CHECK_FALSE(valid({{"smtp_url", "smtp://mail.example.org"}, {"from_address", "chat"}}));
  CHECK_FALSE(valid({{"smtp_url", "smtp://mail.example.org"}}));
  CHECK_FALSE(valid({{"smtp_url", "smtp://m"}, {"from_address", "c@e.org"}, {"timeout_ms", 10}}));
  CHECK_FALSE(
      valid({{"smtp_url", "smtp://m"}, {"from_address", "c@e.org"}, {"from_name", "a\nb"}}));
  CHECK_FALSE(valid({{"smtp_url", "smtp://m"}, {"from_address", "c@e.org"}, {"smtp_host", "m"}}));
}
