#include "smtp_outbox.hpp"

namespace omnigate::email {

SmtpOutbox::SmtpOutbox(MailServerSettings server, Host& host)
    : host_(host), queue_(std::move(server)) {}

void SmtpOutbox::send(uint64_t ticket, OutboundMail mail) {
  queue_.send(std::move(mail.envelope_from), {mail.recipient}, std::move(mail.bytes),
              [this, ticket, message_id = std::move(mail.message_id), recipient = mail.recipient](
                  const SmtpOutcome& outcome) { report(ticket, message_id, recipient, outcome); });
}

void SmtpOutbox::report(uint64_t ticket, const std::string& message_id,
                        const std::string& recipient, const SmtpOutcome& outcome) {
  SendResult result;
  result.error_code = outcome.reply_code != 0 ? std::to_string(outcome.reply_code) : "";
  result.error_text = outcome.reply_text;
  switch (outcome.kind) {
    case SmtpOutcome::Kind::sent:
      result.status = OG_OK;
      result.provider_message_id = message_id;
      result.error_code.clear();
      result.error_text.clear();
      break;
    case SmtpOutcome::Kind::retry:
      result.status = OG_RETRY;
      host_.warn("SMTP: " + recipient + " deferred: " + outcome.reply_text);
      break;
    case SmtpOutcome::Kind::permanent:
      result.status = OG_PERMANENT;
      host_.warn("SMTP: " + recipient + " refused: " + outcome.reply_text);
      break;
  }
  host_.send_result(ticket, result);
}

}  // namespace omnigate::email
