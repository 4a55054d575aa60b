#include "smtp_queue.hpp"

namespace omnigate::email {

SmtpQueue::SmtpQueue(MailServerSettings server)
    : server_(std::move(server)), thread_([this] { run(); }) {}

SmtpQueue::~SmtpQueue() {
  stop();
}

void SmtpQueue::send(std::string envelope_from, std::vector<std::string> recipients,
                     std::string bytes, Done done) {
  {
    std::lock_guard lock(mu_);
    jobs_.push_back(
        Job{std::move(envelope_from), std::move(recipients), std::move(bytes), std::move(done)});
  }
  wake_.notify_one();
}

void SmtpQueue::stop() noexcept {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cancel_ = true;
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void SmtpQueue::run() {
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
        smtp_send(server_, job.envelope_from, job.recipients, job.bytes, &cancel_);
    if (job.done) job.done(outcome);
  }
}

}  // namespace omnigate::email
