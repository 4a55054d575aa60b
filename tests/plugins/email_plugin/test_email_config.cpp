// parse_config: every key checked, errors name the key, secrets read from files.
#include "email_config.hpp"
#include "mail_threads.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>

using omnigate::ConfigError;
using omnigate::email::parse_config;

namespace {

std::string error_of(const std::string& json) {
  try {
    parse_config(json);
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("a minimal config takes the defaults", "[email][config]") {
  const auto c = parse_config(R"({"address": "Support@Example.COM"})");
  CHECK(c.address == "Support@example.com");  // the domain's case carries no meaning
  CHECK(c.message_id_domain == "example.com");
  CHECK(c.subject_token);
  CHECK_FALSE(c.imap);
  CHECK_FALSE(c.smtp);
  REQUIRE(c.skills.size() == 1);
  CHECK(c.skills[0].skill == "email");
  CHECK(c.read.limits.max_message_bytes == 25u << 20);
}

TEST_CASE("IMAP and SMTP sections are read in full", "[email][config]") {
  const auto c = parse_config(R"({"address": "s@example.com",
      "imap": {"host": "imap.example.com", "port": 1143, "tls": "starttls", "user": "u",
               "password": "p", "folder": "Support", "idle": false, "poll_interval_seconds": 5,
               "after_import": "move", "move_to": "Done", "fetch_batch": 10},
      "smtp": {"host": "smtp.example.com", "tls": "tls", "verify_peer": false},
      "limits": {"max_message_bytes": 2048}})");
  REQUIRE(c.imap);
  CHECK(c.imap->server.host == "imap.example.com");
  CHECK(c.imap->server.port == 1143);
  CHECK(c.imap->server.tls == omnigate::email::MailTls::starttls);
  CHECK(c.imap->folder == "Support");
  CHECK_FALSE(c.imap->use_idle);
  CHECK(c.imap->after_import == omnigate::email::AfterImport::move);
  CHECK(c.imap->move_to == "Done");
  CHECK(c.imap->max_message_bytes == 2048);  // the reader's limit applies to fetching too
  REQUIRE(c.smtp);
  CHECK(c.smtp->tls == omnigate::email::MailTls::implicit);
  CHECK_FALSE(c.smtp->verify_peer);
}

TEST_CASE("config errors name the key", "[email][config]") {
  CHECK_THAT(error_of(R"({})"), Catch::Contains("address"));
  CHECK_THAT(error_of(R"({"address": "no-at-sign"})"), Catch::Contains("address"));
  CHECK_THAT(error_of(R"({"address": "a@b.example\r\nBcc: x@y"})"), Catch::Contains("address"));
  CHECK_THAT(error_of(R"({"address": "a@b.example", "colour": 1})"), Catch::Contains("colour"));
  CHECK_THAT(error_of(R"({"address": "a@b.example", "imap": {"host": "h", "port": 0}})"),
             Catch::Contains("imap.port"));
  CHECK_THAT(error_of(R"({"address": "a@b.example", "imap": {"port": 993}})"),
             Catch::Contains("imap.host"));
  CHECK_THAT(
      error_of(R"({"address": "a@b.example", "imap": {"host": "h", "after_import": "move"}})"),
      Catch::Contains("imap.move_to"));
  CHECK_THAT(error_of(R"({"address": "a@b.example", "smtp": {"host": "h", "tls": "ssl"}})"),
             Catch::Contains("smtp.tls"));
  CHECK_THAT(error_of(R"({"address": "a@b.example", "webhook": {"sendgrid_user": "u"}})"),
             Catch::Contains("sendgrid"));
  CHECK_THAT(
      error_of(R"({"address": "a@b.example", "webhook": {"secret_file": "/nonexistent/x"}})"),
      Catch::Contains("webhook.secret_file"));
}

TEST_CASE("secrets can come from files", "[email][config]") {
  const std::string path = "email-config-test-secret.txt";
  {
    std::ofstream out(path);
    out << "from-a-file\n";
  }
  const auto c =
      parse_config(R"({"address": "s@example.com", "webhook": {"secret_file": ")" + path +
                   R"("}, "smtp": {"host": "h", "password_file": ")" + path + R"("}})");
  CHECK(c.webhook.secret == "from-a-file");
  CHECK(c.smtp->password == "from-a-file");
  std::remove(path.c_str());
}

TEST_CASE("subject tokens and reply subjects", "[email][threads]") {
  using omnigate::email::reply_subject;
  using omnigate::email::subject_token;
  CHECK(subject_token("Re: Order [#42]") == 42);
  CHECK(subject_token("[#7] and later [#42]") == 42);
  CHECK_FALSE(subject_token("Order #42"));
  CHECK_FALSE(subject_token("[#] [#x]"));
  CHECK(reply_subject("Order", 42, true) == "Re: Order [#42]");
  CHECK(reply_subject("Re: Order [#42]", 42, true) == "Re: Order [#42]");
  CHECK(reply_subject("AW: Bestellung", 5, false) == "AW: Bestellung");
  CHECK(reply_subject("回复：订单", 3, true) == "回复：订单 [#3]");
  CHECK(reply_subject("", 3, false) == "Re: your message");
}
