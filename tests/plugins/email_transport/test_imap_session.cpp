// ImapSession against a real Dovecot on loopback.
#include "imap_session.hpp"
#include "mail_server_process.hpp"

#include <fcntl.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

using namespace omnigate::email;
using namespace omnigate::email::testing;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct Pipe {
  int fds[2];
  Pipe() { REQUIRE(pipe2(fds, O_CLOEXEC) == 0); }
  ~Pipe() {
    close(fds[0]);
    close(fds[1]);
  }
};

}  // namespace

TEST_CASE("IMAP: UIDs from a cursor, fetch without \\Seen, truncation of large mails") {
  TestDovecot dovecot;
  const std::string big = sample_mail(3, 5000);
  dovecot.append(sample_mail(1));
  dovecot.append(sample_mail(2));
  dovecot.append(big);

  ImapSession session(dovecot.settings(), "INBOX");
  session.open();
  CHECK(session.uid_validity() == dovecot.uid_validity());
  CHECK(session.supports_idle());
  CHECK(session.supports_move());
  CHECK(session.uids_from(1) == std::vector<uint32_t>{1, 2, 3});
  CHECK(session.uids_from(0) == std::vector<uint32_t>{1, 2, 3});
  CHECK(session.uids_from(3) == std::vector<uint32_t>{3});
  CHECK(session.uids_from(4).empty());  // "4:*" matches UID 3 on the wire: filtered out

  std::vector<FetchedMail> mails = session.fetch({1, 2, 3, 99}, 1000);
  REQUIRE(mails.size() == 3);  // UID 99 does not exist: left out
  CHECK(mails[0].uid == 1);
  CHECK(mails[0].raw == sample_mail(1));
  CHECK(mails[0].size == sample_mail(1).size());
  CHECK_FALSE(mails[0].truncated);
  CHECK(mails[2].uid == 3);
  CHECK(mails[2].truncated);
  CHECK(mails[2].size == big.size());
  CHECK(mails[2].raw == big.substr(0, 1000));

  for (const StoredMail& stored : dovecot.messages()) CHECK_FALSE(stored.has_flag("\\Seen"));
}

TEST_CASE("IMAP: flags and move") {
  TestDovecot dovecot;
  for (int i = 1; i <= 4; ++i) dovecot.append(sample_mail(i));
  dovecot.create_folder("Imported");

  ImapSession session(dovecot.settings(), "INBOX");
  session.open();
  session.add_flag({1, 2}, "\\Seen");
  session.add_flag({2}, "$OmnigateImported");
  session.move({3, 4}, "Imported");

  std::vector<StoredMail> inbox = dovecot.messages();
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[0].has_flag("\\Seen"));
  CHECK_FALSE(inbox[0].has_flag("$OmnigateImported"));
  CHECK(inbox[1].has_flag("\\Seen"));
  CHECK(inbox[1].has_flag("$OmnigateImported"));
  std::vector<StoredMail> moved = dovecot.messages("Imported");
  REQUIRE(moved.size() == 2);
  CHECK(moved[0].raw == sample_mail(3));
  CHECK(moved[1].raw == sample_mail(4));
  CHECK(session.uids_from(1) == std::vector<uint32_t>{1, 2});
}

TEST_CASE("IMAP: move without the MOVE extension copies, deletes and expunges") {
  TestDovecot dovecot({"--capability", "IMAP4rev1 LITERAL+ IDLE UIDPLUS"});
  for (int i = 1; i <= 3; ++i) dovecot.append(sample_mail(i));
  dovecot.create_folder("Imported");

  ImapSession session(dovecot.settings(), "INBOX");
  session.open();
  REQUIRE_FALSE(session.supports_move());
  session.move({2}, "Imported");

  std::vector<StoredMail> inbox = dovecot.messages();
  REQUIRE(inbox.size() == 2);
  CHECK(inbox[0].uid == 1);
  CHECK(inbox[1].uid == 3);
  std::vector<StoredMail> moved = dovecot.messages("Imported");
  REQUIRE(moved.size() == 1);
  CHECK(moved[0].raw == sample_mail(2));
  CHECK_FALSE(moved[0].has_flag("\\Deleted"));
}

TEST_CASE("IMAP: IDLE reports a mail appended by another client within 2 seconds") {
  TestDovecot dovecot;
  ImapSession session(dovecot.settings(), "INBOX");
  session.open();
  Pipe stop;
  std::thread other([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    dovecot.append(sample_mail(1));
  });
  auto start = Clock::now();
  ImapSession::IdleResult result = session.idle(10, stop.fds[0]);
  double waited = seconds_since(start);
  other.join();
  CHECK(result == ImapSession::IdleResult::changed);
  CHECK(waited < 2.0);
  CHECK(session.uids_from(1) == std::vector<uint32_t>{1});  // the session works on after DONE
}

TEST_CASE("IMAP: IDLE ends on the stop descriptor and on its time limit") {
  TestDovecot dovecot;
  ImapSession session(dovecot.settings(), "INBOX");
  session.open();
  Pipe stop;

  auto start = Clock::now();
  CHECK(session.idle(1, stop.fds[0]) == ImapSession::IdleResult::timeout);
  CHECK(seconds_since(start) >= 0.9);

  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    char byte = 1;
    REQUIRE(write(stop.fds[1], &byte, 1) == 1);
  });
  start = Clock::now();
  CHECK(session.idle(10, stop.fds[0]) == ImapSession::IdleResult::stopped);
  CHECK(seconds_since(start) < 2.0);
  stopper.join();
  CHECK(session.uids_from(1).empty());
}

TEST_CASE("IMAP: a refused login throws without the password") {
  TestDovecot dovecot;
  MailServerSettings settings = dovecot.settings();
  settings.password = "wrong-password-42";
  ImapSession session(settings, "INBOX");
  try {
    session.open();
    FAIL("login with a wrong password succeeded");
  } catch (const ImapError& error) {
    std::string what = error.what();
    CHECK(what.find("LOGIN") != std::string::npos);
    CHECK(what.find("wrong-password-42") == std::string::npos);
  }
}

TEST_CASE("IMAP: a closed port throws ImapError") {
  TestDovecot dovecot;
  MailServerSettings settings = dovecot.settings();
  dovecot.command("stop");
  ImapSession session(settings, "INBOX");
  CHECK_THROWS_AS(session.open(), ImapError);
}

TEST_CASE("IMAP: implicit TLS and STARTTLS with the server's certificate verified") {
  TestDovecot dovecot({"--tls"});
  dovecot.append(sample_mail(1));
  MailServerSettings settings = dovecot.settings();
  settings.ca_file = dovecot.process().hello().at("cert").get<std::string>();

  SECTION("implicit TLS") {
    settings.tls = MailTls::implicit;
    settings.port = dovecot.process().hello().at("tls_port").get<uint16_t>();
  }
  SECTION("STARTTLS") {
    settings.tls = MailTls::starttls;
  }

  ImapSession trusted(settings, "INBOX");
  trusted.open();
  std::vector<FetchedMail> mails = trusted.fetch(trusted.uids_from(1), 1 << 20);
  REQUIRE(mails.size() == 1);
  CHECK(mails[0].raw == sample_mail(1));

  // The same self-signed certificate without the CA file is someone else's: refused.
  settings.ca_file.clear();
  ImapSession untrusted(settings, "INBOX");
  CHECK_THROWS_WITH(untrusted.open(), Catch::Contains("certificate"));

  // Unless verification is off (a test box).
  settings.verify_peer = false;
  ImapSession unverified(settings, "INBOX");
  unverified.open();
  CHECK(unverified.uids_from(1) == std::vector<uint32_t>{1});
}
