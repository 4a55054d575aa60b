// Sends one message over SMTP with libcurl (smtp/smtps, STARTTLS), blocking: call it from a
// worker thread, never from a plugin callback. The outcome follows the server's reply class:
// 2xx sent; 4xx (and connection/TLS/time-out failures) retry; 5xx permanent. The server's last
// reply line is kept for the transcript.
#pragma once

#include "mail_server_settings.hpp"

#include <atomic>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::email {

struct SmtpOutcome {
  enum class Kind { sent, retry, permanent } kind = Kind::retry;
  int reply_code = 0;      // the SMTP reply code that decided it (0: no reply, e.g. no connection)
  std::string reply_text;  // the server's reply line(s) for that code, or libcurl's error
};

// envelope_from / recipients are bare addresses (no <>, no names). `message` is the whole RFC
// 5322 message with CRLF line endings (dot-stuffing is libcurl's job). When `cancel` (optional,
// owned by the caller) turns true, the send is abandoned within about a second (a retry).
SmtpOutcome smtp_send(const MailServerSettings& server, std::string_view envelope_from,
                      const std::vector<std::string>& recipients, std::string_view message,
                      const std::atomic<bool>* cancel = nullptr);

}  // namespace omnigate::email
