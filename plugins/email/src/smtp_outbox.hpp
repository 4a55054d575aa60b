// Sends composed replies over SMTP on a worker thread (SMTP is a blocking conversation that a
// plugin callback must never wait for) and reports each outcome to the host: 2xx → sent with
// our Message-ID as the provider id; 4xx or no connection → RETRY (the outbox backs off);
// 5xx → PERMANENT with the server's reply kept in the transcript.
#pragma once

#include "mail_server_settings.hpp"
#include "outbound_mail.hpp"

#include <omnigate/plugin.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>

namespace omnigate::email {

class SmtpOutbox {
 public:
  SmtpOutbox(MailServerSettings server, Host& host);
  ~SmtpOutbox();  // stop()
  SmtpOutbox(const SmtpOutbox&) = delete;
  SmtpOutbox& operator=(const SmtpOutbox&) = delete;

  void send(uint64_t ticket, OutboundMail mail);
  // Abandons the send in progress (its ticket gets RETRY) and ends the thread; queued tickets
  // get no result (the host retries them after a restart, with the same Message-ID).
  void stop() noexcept;

 private:
  struct Job {
    uint64_t ticket;
    OutboundMail mail;
  };
  void run();

  const MailServerSettings server_;
  Host& host_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set by stop(): abandons the send in progress
  std::thread thread_;
};

}  // namespace omnigate::email
