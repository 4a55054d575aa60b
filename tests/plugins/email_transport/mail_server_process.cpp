#include "mail_server_process.hpp"

#include "sigpipe_guard.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace omnigate::email::testing {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string read_line(FILE* from) {
  std::string line;
  int c;
  while ((c = std::fgetc(from)) != EOF && c != '\n') line.push_back(static_cast<char>(c));
  if (c == EOF && line.empty()) {
    throw std::runtime_error("mail server exited (its error is printed above)");
  }
  return line;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (unsigned char byte : bytes) {
    bits = (bits << 8) | byte;
    count += 8;
    while (count >= 6) {
      count -= 6;
      out.push_back(kAlphabet[(bits >> count) & 63]);
    }
  }
  if (count > 0) out.push_back(kAlphabet[(bits << (6 - count)) & 63]);
  while (out.size() % 4 != 0) out.push_back('=');
  return out;
}

std::string base64_decode(std::string_view text) {
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : text) {
    size_t value = kAlphabet.find(c);
    if (value == std::string_view::npos) continue;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(value);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

MailServerProcess::MailServerProcess(const std::vector<std::string>& args) {
  int in[2], out[2];
  if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0) {
    throw std::runtime_error("pipe2 failed");
  }
  std::vector<std::string> argv_strings = {OG_MAIL_PYTHON3, OG_MAIL_SERVERS_PY};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& arg : argv_strings) argv.push_back(arg.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  int rc = posix_spawn(&pid_, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  to_child_ = in[1];
  from_child_ = fdopen(out[0], "r");
  if (rc != 0) throw std::runtime_error(std::string("cannot start ") + OG_MAIL_PYTHON3);
  hello_ = nlohmann::json::parse(read_line(from_child_));
}

MailServerProcess::~MailServerProcess() {
  if (to_child_ >= 0) ::close(to_child_);
  if (from_child_ != nullptr) std::fclose(from_child_);
  if (pid_ <= 0) return;
  for (int i = 0; i < 300; ++i) {  // 30 s to stop Dovecot and remove its directory
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
}

nlohmann::json MailServerProcess::request(const nlohmann::json& command) {
  SigpipeGuard no_sigpipe;  // a crashed server fails the test, not the test binary
  std::string line = command.dump() + "\n";
  if (::write(to_child_, line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
    throw std::runtime_error("mail server is gone");
  }
  nlohmann::json answer = nlohmann::json::parse(read_line(from_child_));
  if (!answer.at("ok").get<bool>()) {
    throw std::runtime_error(command.dump() + ": " + answer.value("error", std::string()));
  }
  return answer;
}

bool StoredMail::has_flag(const std::string& flag) const {
  for (const std::string& f : flags) {
    if (f == flag) return true;
  }
  return false;
}

TestDovecot::TestDovecot(const std::vector<std::string>& extra_args)
    : process_([&] {
        std::vector<std::string> args = {"dovecot", "--user", "support:secret"};
        args.insert(args.end(), extra_args.begin(), extra_args.end());
        return args;
      }()) {}

MailServerSettings TestDovecot::settings() const {
  MailServerSettings s;
  s.host = "127.0.0.1";
  s.port = process_.port();
  s.tls = MailTls::none;
  s.user = "support";
  s.password = "secret";
  s.timeout_seconds = 10;
  return s;
}

void TestDovecot::append(const std::string& raw, const std::string& folder) {
  process_.request(
      {{"cmd", "append"}, {"user", "support"}, {"folder", folder}, {"raw", base64_encode(raw)}});
}

std::vector<StoredMail> TestDovecot::messages(const std::string& folder) {
  nlohmann::json answer =
      process_.request({{"cmd", "messages"}, {"user", "support"}, {"folder", folder}});
  std::vector<StoredMail> mails;
  for (const auto& m : answer.at("messages")) {
    mails.push_back({m.at("uid").get<uint32_t>(), m.at("flags").get<std::vector<std::string>>(),
                     base64_decode(m.at("raw").get<std::string>())});
  }
  return mails;
}

void TestDovecot::create_folder(const std::string& folder) {
  process_.request({{"cmd", "create_folder"}, {"user", "support"}, {"folder", folder}});
}

uint32_t TestDovecot::uid_validity() {
  return process_.request({{"cmd", "uid_validity"}, {"user", "support"}})
      .at("uid_validity")
      .get<uint32_t>();
}

void TestDovecot::set_uid_validity(uint32_t value) {
  process_.request({{"cmd", "set_uid_validity"}, {"user", "support"}, {"value", value}});
}

void TestDovecot::command(const std::string& name) {
  process_.request({{"cmd", name}});
}

std::string sample_mail(int number, size_t body_bytes) {
  std::string n = std::to_string(number);
  std::string raw = "From: Customer " + n + " <customer" + n +
                    "@example.com>\r\n"
                    "To: support@example.org\r\n"
                    "Subject: Question " +
                    n + "\r\nMessage-ID: <q" + n +
                    "@example.com>\r\n"
                    "\r\n"
                    "Body of mail " +
                    n + "\r\n";
  while (raw.size() < body_bytes) raw += "0123456789012345678901234567890123456789012345678\r\n";
  return raw;
}

}  // namespace omnigate::email::testing
