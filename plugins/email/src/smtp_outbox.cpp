#include "smtp_outbox.hpp"

#include "smtp_client.hpp"

namespace omnigate::email {

SmtpOutbox::SmtpOutbox(MailServerSettings server, Host& host)
    : server_(std::move(server)), host_(host), thread_([this] { run(); }) {}

SmtpOutbox::~SmtpOutbox() {
  stop();
}

void SmtpOutbox::send(uint64_t ticket, OutboundMail mail) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(Job{ticket, std::move(mail)});
  }
  wake_.notify_one();
}

void SmtpOutbox::stop() noexcept {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SmtpOutbox::run() {
  for (;;) {
    Job job;
    {
      std::unique_lock lock(mu_);
      wake_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    const SmtpOutcome outcome =
        smtp_send(server_, job.mail.envelope_from, {job.mail.recipient}, job.mail.bytes, &cancel_);
    SendResult result;
    result.error_code = outcome.reply_code != 0 ? std::to_string(outcome.reply_code) : "";
    result.error_text = outcome.reply_text;
    switch (outcome.kind) {
      case SmtpOutcome::Kind::sent:
        result.status = OG_OK;
        result.provider_message_id = job.mail.message_id;
        result.error_code.clear();
        result.error_text.clear();
        break;
      case SmtpOutcome::Kind::retry:
        result.status = OG_RETRY;
        host_.warn("SMTP: " + job.mail.recipient + " deferred: " + outcome.reply_text);
        break;
      case SmtpOutcome::Kind::permanent:
        result.status = OG_PERMANENT;
        host_.warn("SMTP: " + job.mail.recipient + " refused: " + outcome.reply_text);
        break;
    }
    host_.send_result(job.ticket, result);
  }
}

}  // namespace omnigate::email
