// smtp_send against a real aiosmtpd server on loopback.
#include "mail_server_process.hpp"
#include "smtp_client.hpp"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

using namespace omnigate::email;
using namespace omnigate::email::testing;

namespace {

struct SmtpSink {
  MailServerProcess process;
  explicit SmtpSink(const std::vector<std::string>& extra = {})
      : process([&] {
          std::vector<std::string> args = {"smtp"};
          args.insert(args.end(), extra.begin(), extra.end());
          return args;
        }()) {}

  MailServerSettings settings() const {
    MailServerSettings s;
    s.host = "127.0.0.1";
    s.port = process.port();
    s.tls = MailTls::none;
    s.timeout_seconds = 10;
    return s;
  }
  nlohmann::json messages() { return process.request({{"cmd", "messages"}}).at("messages"); }
  void reject(const std::string& address, int code, const std::string& text,
              const std::string& stage = "rcpt") {
    process.request({{"cmd", "reject"},
                     {"address", address},
                     {"code", code},
                     {"text", text},
                     {"stage", stage}});
  }
};

const std::string kReply =
    "From: Support <support@example.org>\r\n"
    "To: Customer <customer@example.com>\r\n"
    "Subject: Re: Question\r\n"
    "Message-ID: <r1@example.org>\r\n"
    "In-Reply-To: <q1@example.com>\r\n"
    "References: <q1@example.com>\r\n"
    "\r\n"
    "Hello,\r\n"
    ".a line that starts with a dot\r\n"
    ".\r\n"
    "Bye\r\n";

}  // namespace

TEST_CASE("SMTP: a sent message arrives byte for byte") {
  SmtpSink sink;
  SmtpOutcome outcome = smtp_send(sink.settings(), "support@example.org",
                                  {"customer@example.com", "cc@example.com"}, kReply);
  CHECK(outcome.kind == SmtpOutcome::Kind::sent);
  CHECK(outcome.reply_code == 250);
  CHECK(outcome.reply_text.find("250") == 0);
  nlohmann::json messages = sink.messages();
  REQUIRE(messages.size() == 1);
  CHECK(messages[0].at("from") == "support@example.org");
  CHECK(messages[0].at("to") == nlohmann::json({"customer@example.com", "cc@example.com"}));
  CHECK(base64_decode(messages[0].at("data").get<std::string>()) == kReply);
}

TEST_CASE("SMTP: 4xx is retried with the server's code and text") {
  SmtpSink sink;
  sink.reject("later@example.com", 451, "4.3.0 Mailbox busy, try again later");
  SmtpOutcome outcome =
      smtp_send(sink.settings(), "support@example.org", {"later@example.com"}, kReply);
  CHECK(outcome.kind == SmtpOutcome::Kind::retry);
  CHECK(outcome.reply_code == 451);
  CHECK(outcome.reply_text == "451 4.3.0 Mailbox busy, try again later");
  CHECK(sink.messages().empty());
}

TEST_CASE("SMTP: 5xx is permanent and keeps the server's reply") {
  SmtpSink sink;
  SECTION("on RCPT") {
    sink.reject("nobody@example.com", 550,
                "5.1.1 <nobody@example.com>: Recipient address rejected");
    SmtpOutcome outcome =
        smtp_send(sink.settings(), "support@example.org", {"nobody@example.com"}, kReply);
    CHECK(outcome.kind == SmtpOutcome::Kind::permanent);
    CHECK(outcome.reply_code == 550);
    CHECK(outcome.reply_text == "550 5.1.1 <nobody@example.com>: Recipient address rejected");
  }
  SECTION("after DATA") {
    sink.reject("spamtrap@example.com", 554, "5.7.1 Message rejected as spam", "data");
    SmtpOutcome outcome =
        smtp_send(sink.settings(), "support@example.org", {"spamtrap@example.com"}, kReply);
    CHECK(outcome.kind == SmtpOutcome::Kind::permanent);
    CHECK(outcome.reply_code == 554);
    CHECK(outcome.reply_text == "554 5.7.1 Message rejected as spam");
  }
  CHECK(sink.messages().empty());
}

TEST_CASE("SMTP: AUTH with the configured user") {
  SmtpSink sink({"--user", "mailer:s3cret"});
  MailServerSettings settings = sink.settings();
  settings.user = "mailer";
  settings.password = "s3cret";
  CHECK(smtp_send(settings, "support@example.org", {"customer@example.com"}, kReply).kind ==
        SmtpOutcome::Kind::sent);

  settings.password = "wrong";
  SmtpOutcome refused = smtp_send(settings, "support@example.org", {"c@example.com"}, kReply);
  CHECK(refused.kind == SmtpOutcome::Kind::permanent);
  CHECK(refused.reply_code == 535);

  settings.user.clear();  // no AUTH at all: the server requires it
  SmtpOutcome anonymous = smtp_send(settings, "support@example.org", {"c@example.com"}, kReply);
  CHECK(anonymous.kind == SmtpOutcome::Kind::permanent);
  CHECK(anonymous.reply_code == 530);
  CHECK(sink.messages().size() == 1);
}

TEST_CASE("SMTP: STARTTLS with the server's self-signed certificate") {
  SmtpSink sink({"--starttls", "--user", "mailer:s3cret"});
  MailServerSettings settings = sink.settings();
  settings.tls = MailTls::starttls;
  settings.user = "mailer";
  settings.password = "s3cret";
  settings.ca_file = sink.process.hello().at("cert").get<std::string>();
  CHECK(smtp_send(settings, "support@example.org", {"customer@example.com"}, kReply).kind ==
        SmtpOutcome::Kind::sent);

  settings.ca_file.clear();  // not trusted: no mail, try again (after the operator fixes it)
  SmtpOutcome untrusted = smtp_send(settings, "support@example.org", {"c@example.com"}, kReply);
  CHECK(untrusted.kind == SmtpOutcome::Kind::retry);
  CHECK(untrusted.reply_code == 0);
  CHECK_FALSE(untrusted.reply_text.empty());

  settings.verify_peer = false;
  CHECK(smtp_send(settings, "support@example.org", {"customer@example.com"}, kReply).kind ==
        SmtpOutcome::Kind::sent);
  nlohmann::json messages = sink.messages();
  REQUIRE(messages.size() == 2);
  CHECK(base64_decode(messages[1].at("data").get<std::string>()) == kReply);
}

TEST_CASE("SMTP: a refused connection is retried with libcurl's reason") {
  // A bound socket that does not listen: connecting to its port is refused.
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  socklen_t length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  MailServerSettings settings;
  settings.host = "127.0.0.1";
  settings.port = ntohs(address.sin_port);
  settings.tls = MailTls::none;
  settings.timeout_seconds = 5;
  SmtpOutcome outcome = smtp_send(settings, "support@example.org", {"c@example.com"}, kReply);
  close(fd);
  CHECK(outcome.kind == SmtpOutcome::Kind::retry);
  CHECK(outcome.reply_code == 0);
  CHECK_FALSE(outcome.reply_text.empty());
}

TEST_CASE("SMTP: CR or LF in an envelope address is refused before anything is sent") {
  SmtpSink sink;
  SmtpOutcome outcome = smtp_send(sink.settings(), "support@example.org",
                                  {"customer@example.com>\r\nRCPT TO:<victim@example.net"}, kReply);
  CHECK(outcome.kind == SmtpOutcome::Kind::permanent);
  CHECK(smtp_send(sink.settings(), "a@b\r\nDATA", {"customer@example.com"}, kReply).kind ==
        SmtpOutcome::Kind::permanent);
  CHECK(sink.messages().empty());
}
