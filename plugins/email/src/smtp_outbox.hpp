// Sends composed replies over SMTP on a worker thread (SMTP is a blocking conversation that a
// plugin callback must never wait for) and reports each outcome to the host: 2xx → sent with
// our Message-ID as the provider id; 4xx or no connection → RETRY (the outbox backs off);
// 5xx → PERMANENT with the server's reply kept in the transcript.
#pragma once

#include "mail_server_settings.hpp"
#include "outbound_mail.hpp"
#include "smtp_queue.hpp"

#include <omnigate/plugin.hpp>

#include <cstdint>
#include <string>

namespace omnigate::email {

class SmtpOutbox {
 public:
  SmtpOutbox(MailServerSettings server, Host& host);

  void send(uint64_t ticket, OutboundMail mail);
  // Abandons the send in progress (its ticket gets RETRY) and ends the thread; queued tickets
  // get no result (the host retries them after a restart, with the same Message-ID).
  void stop() noexcept { queue_.stop(); }

 private:
  void report(uint64_t ticket, const std::string& message_id, const std::string& recipient,
              const SmtpOutcome& outcome);

  Host& host_;
  SmtpQueue queue_;  // last: its thread stops before what it reports to
};

}  // namespace omnigate::email
