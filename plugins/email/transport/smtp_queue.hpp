// Sends mails over SMTP one at a time on a worker thread of its own: an SMTP conversation blocks
// for seconds, and a plugin callback must never wait for one. Used by the e-mail channel's
// outbox (replies) and the web chat (transcripts, replies to offline messages).
#pragma once

#include "mail_server_settings.hpp"
#include "smtp_client.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace omnigate::email {

class SmtpQueue {
 public:
  // Runs on the queue's thread with the outcome of one mail.
  using Done = std::function<void(const SmtpOutcome&)>;

  explicit SmtpQueue(MailServerSettings server);
  ~SmtpQueue();  // stop()
  SmtpQueue(const SmtpQueue&) = delete;
  SmtpQueue& operator=(const SmtpQueue&) = delete;

  // Queues one mail; mails go out in the order they were queued.
  void send(std::string envelope_from, std::vector<std::string> recipients, std::string bytes,
            Done done);
  // Abandons the send in progress (its `done` still runs, with the retry outcome of a cancelled
  // conversation) and ends the thread; queued mails get no `done`. Idempotent.
  void stop() noexcept;

 private:
  struct Job {
    std::string envelope_from;
    std::vector<std::string> recipients;
    std::string bytes;
    Done done;
  };
  void run();

  const MailServerSettings server_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::atomic<bool> cancel_{false};  // set by stop(): abandons the send in progress
  std::thread thread_;
};

}  // namespace omnigate::email
