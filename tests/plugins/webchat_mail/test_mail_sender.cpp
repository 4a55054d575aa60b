// MailSender against a real aiosmtpd server on 127.0.0.1 (tests/mail/mail_servers.py, a free
// port per test case): what arrives is the composed message byte for byte, with our envelope.
#include "mail_server_process.hpp"
#include "transcript_mail.hpp"

#include <omnigate/plugin.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

using namespace omnigate::webchat;
using omnigate::email::testing::base64_decode;
using omnigate::email::testing::MailServerProcess;
using namespace std::chrono_literals;

namespace {

struct Outcome {
  bool ok = false;
  std::string error;
};

// A send whose outcome the test waits for.
struct Pending {
  std::shared_ptr<std::promise<Outcome>> promise = std::make_shared<std::promise<Outcome>>();
  std::future<Outcome> future = promise->get_future();
  std::function<void(bool, std::string)> done() {
    return [p = promise](bool ok, std::string error) { p->set_value({ok, std::move(error)}); };
  }
  Outcome wait() {
    REQUIRE(future.wait_for(30s) == std::future_status::ready);
    return future.get();
  }
};

MailSettings settings_for(uint16_t port) {
  MailSettings s;
  s.smtp_url = "smtp://127.0.0.1:" + std::to_string(port);
  s.from_address = "chat@example.org";
  s.from_name = "Beispiel";
  s.timeout_ms = 10000;
  return s;
}

nlohmann::json messages(MailServerProcess& sink) {
  return sink.request({{"cmd", "messages"}}).at("messages");
}

}  // namespace

TEST_CASE("MailSender: mails arrive in order, byte for byte, from from_address") {
  MailServerProcess sink({"smtp"});
  const MailSettings s = settings_for(sink.port());
  const std::string transcript = compose_transcript_mail(
      s, "li.lei@example.com", "网站", {{"visitor", "李雷", "你好\n.\nbye", 1774772130000, {}}});
  const std::string reply =
      compose_reply_mail(s, "kunde@example.com", "Re: Frage", "Antwort", "Anna", "wc.1.2", "");
  Pending first, second;
  {
    MailSender sender(s);
    sender.send("li.lei@example.com", transcript, first.done());
    sender.send("kunde@example.com", reply, second.done());
    const Outcome a = first.wait();
    const Outcome b = second.wait();
    CHECK(a.ok);
    CHECK(a.error.empty());
    CHECK(b.ok);
  }
  const auto received = messages(sink);
  REQUIRE(received.size() == 2);
  CHECK(received[0].at("from") == "chat@example.org");
  CHECK(received[0].at("to") == nlohmann::json::array({"li.lei@example.com"}));
  CHECK(base64_decode(received[0].at("data").get<std::string>()) == transcript);
  CHECK(received[1].at("to") == nlohmann::json::array({"kunde@example.com"}));
  CHECK(base64_decode(received[1].at("data").get<std::string>()) == reply);
}

TEST_CASE("MailSender: a refused recipient is reported with the server's reply") {
  MailServerProcess sink({"smtp"});
  sink.request({{"cmd", "reject"},
                {"address", "nobody@example.com"},
                {"code", 550},
                {"text", "5.1.1 no such user"},
                {"stage", "rcpt"}});
  const MailSettings s = settings_for(sink.port());
  MailSender sender(s);
  Pending refused, accepted;
  sender.send("nobody@example.com",
              compose_reply_mail(s, "nobody@example.com", "Re", "x", "", "wc.1", ""),
              refused.done());
  sender.send("somebody@example.com",
              compose_reply_mail(s, "somebody@example.com", "Re", "x", "", "wc.2", ""),
              accepted.done());
  const Outcome r = refused.wait();
  CHECK_FALSE(r.ok);
  CHECK(r.error.find("550") != std::string::npos);
  CHECK(r.error.find("no such user") != std::string::npos);
  CHECK(accepted.wait().ok);
}

TEST_CASE("MailSender: AUTH with username and password") {
  MailServerProcess sink({"smtp", "--user", "chat:s3cret"});
  MailSettings s = settings_for(sink.port());
  const std::string mail = compose_reply_mail(s, "k@example.com", "Re", "x", "", "wc.3", "");
  s.username = "chat";
  s.password = "wrong";
  {
    MailSender sender(s);
    Pending wrong;
    sender.send("k@example.com", mail, wrong.done());
    CHECK_FALSE(wrong.wait().ok);
  }
  s.password = "s3cret";
  MailSender sender(s);
  Pending right;
  sender.send("k@example.com", mail, right.done());
  CHECK(right.wait().ok);
  CHECK(messages(sink).size() == 1);
}

TEST_CASE("MailSender: starttls is required, not hoped for") {
  MailServerProcess sink({"smtp"});  // offers no STARTTLS
  MailSettings s = settings_for(sink.port());
  s.starttls = true;
  MailSender sender(s);
  Pending pending;
  sender.send("k@example.com", compose_reply_mail(s, "k@example.com", "Re", "x", "", "wc.4", ""),
              pending.done());
  const Outcome outcome = pending.wait();
  CHECK_FALSE(outcome.ok);
  CHECK_FALSE(outcome.error.empty());
  CHECK(messages(sink).empty());
}

TEST_CASE("MailSender: the destructor abandons a send to a silent server, without done") {
  // A listening socket that never greets: the SMTP client waits for a banner that never comes.
  const int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(listener >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::listen(listener, 4) == 0);
  socklen_t length = sizeof address;
  REQUIRE(::getsockname(listener, reinterpret_cast<sockaddr*>(&address), &length) == 0);
  MailSettings s = settings_for(ntohs(address.sin_port));
  s.timeout_ms = 600000;

  bool done_ran = false;
  auto sender = std::make_unique<MailSender>(s);
  sender->send("k@example.com", compose_reply_mail(s, "k@example.com", "Re", "x", "", "wc.5", ""),
               [&](bool, std::string) { done_ran = true; });
  sender->send("k@example.com", compose_reply_mail(s, "k@example.com", "Re", "x", "", "wc.6", ""),
               [&](bool, std::string) { done_ran = true; });
  std::this_thread::sleep_for(300ms);  // the first send is waiting for the banner
  const auto start = std::chrono::steady_clock::now();
  sender.reset();
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK_FALSE(done_ran);
  ::close(listener);
}

TEST_CASE("MailSender: settings from_json would refuse are refused before any thread starts") {
  MailSettings s = settings_for(25);
  s.smtp_url = "http://127.0.0.1:25";
  CHECK_THROWS_AS(MailSender(s), omnigate::ConfigError);
}
