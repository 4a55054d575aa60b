// A real mail server for one test: tests/mail/mail_servers.py started as a child process
// (Dovecot or an aiosmtpd sink on 127.0.0.1 and a free port, in its own temp dir), driven
// through one JSON request per line on its stdin. It fails the test loudly when Dovecot or
// aiosmtpd is missing (the script says to run scripts/install-deps.sh); nothing is skipped.
#pragma once

#include "mail_server_settings.hpp"

#include <sys/types.h>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::email::testing {

std::string base64_encode(std::string_view bytes);
std::string base64_decode(std::string_view text);

class MailServerProcess {
 public:
  // args after the script, e.g. {"dovecot", "--user", "support:secret"}.
  explicit MailServerProcess(const std::vector<std::string>& args);
  ~MailServerProcess();  // closes its stdin: the server stops and removes its temp dir
  MailServerProcess(const MailServerProcess&) = delete;
  MailServerProcess& operator=(const MailServerProcess&) = delete;

  const nlohmann::json& hello() const { return hello_; }  // {"port": N, ...}
  uint16_t port() const { return hello_.at("port").get<uint16_t>(); }
  // Sends one command; throws std::runtime_error with the server's error if it failed.
  nlohmann::json request(const nlohmann::json& command);

 private:
  pid_t pid_ = -1;
  int to_child_ = -1;
  FILE* from_child_ = nullptr;
  nlohmann::json hello_;
};

struct StoredMail {
  uint32_t uid = 0;
  std::vector<std::string> flags;
  std::string raw;
  bool has_flag(const std::string& flag) const;
};

// Dovecot with one user, support:secret.
class TestDovecot {
 public:
  explicit TestDovecot(const std::vector<std::string>& extra_args = {});
  MailServerSettings settings() const;  // plain IMAP on .port as support
  void append(const std::string& raw, const std::string& folder = "INBOX");
  std::vector<StoredMail> messages(const std::string& folder = "INBOX");
  void create_folder(const std::string& folder);
  uint32_t uid_validity();
  void set_uid_validity(uint32_t value);
  void command(const std::string& name);  // "restart", "stop", "start", "kill"
  MailServerProcess& process() { return process_; }

 private:
  MailServerProcess process_;
};

// A test mail: headers and a body with a marker, CRLF line endings.
std::string sample_mail(int number, size_t body_bytes = 0);

}  // namespace omnigate::email::testing
