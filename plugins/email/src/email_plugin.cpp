// The e-mail channel plugin.
// In:  an IMAP folder watched with IDLE (mailbox_import.hpp, transport/mailbox_watcher.hpp),
//      and POST /inbound for providers that post mail (webhook_request.hpp).
// Out: agents' replies composed as mails in the customer's thread (outbound_mail.hpp) and
//      sent over SMTP on a worker thread (smtp_outbox.hpp).
// Every mail is read with GMime (mime/email_reader.hpp); threads are tracked in the plugin's
// key/value store (mail_threads.hpp).
#include "email_config.hpp"
#include "email_reader.hpp"
#include "inbound_mail.hpp"
#include "mail_threads.hpp"
#include "mailbox_import.hpp"
#include "mailbox_watcher.hpp"
#include "outbound_mail.hpp"
#include "smtp_outbox.hpp"
#include "webhook_request.hpp"

#include <omnigate/plugin.hpp>

#include <chrono>
#include <memory>

namespace omnigate::email {
namespace {

HttpResponse text(int status, std::string body) {
  return HttpResponse{status, "text/plain; charset=utf-8", std::move(body) + "\n", {}};
}

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class EmailPlugin final : public Plugin {
 public:
  explicit EmailPlugin(const PluginContext& context)
      : Plugin(context),
        config_(parse_config(context.config_json)),
        threads_(host()),
        mapper_(config_, host(), threads_),
        builder_(config_, host(), threads_),
        refused_(host().counter("email_webhook_refused_total",
                                "Webhook posts refused (401/403/400/415).")) {
    RouteOptions options;
    options.max_body_bytes = config_.webhook.max_body_bytes;
    host().route(
        "POST", "/inbound", [this](const HttpRequest& r) { return on_webhook(r); }, options);
    if (!config_.smtp) host().warn("no [smtp] configured: replies fail until one is");
  }

  void start() override {
    if (config_.smtp) smtp_ = std::make_unique<SmtpOutbox>(*config_.smtp, host());
    if (config_.imap) {
      import_ = std::make_unique<MailboxImport>(config_, host(), mapper_);
      watcher_ = std::make_unique<MailboxWatcher>(*config_.imap, *import_);
      watcher_->start();
    }
  }

  void stop() override {
    if (watcher_) watcher_->stop();
    if (smtp_) smtp_->stop();
  }

  void send(uint64_t ticket, const OutboundMessage& message) override {
    if (!smtp_) throw PermanentError("no SMTP server is configured for this instance ([smtp])");
    OutboundMail mail = builder_.build(message, now_ms());
    // Before the send: the customer may answer within seconds of receiving it.
    threads_.remember_outbound(mail.message_id, message.thread_key, message.conversation_id);
    smtp_->send(ticket, std::move(mail));
  }

 private:
  HttpResponse on_webhook(const HttpRequest& request) {
    auto received = read_webhook(config_.webhook, request, now_ms() / 1000);
    if (auto* refusal = std::get_if<WebhookRefusal>(&received)) {
      refused_.add();
      host().warn("refused POST /inbound from " + std::string(request.remote_addr) + ": " +
                  refusal->reason);
      return text(refusal->status, refusal->reason);
    }
    const auto& mail = std::get<WebhookMail>(received);
    try {
      return store(request, mail);
    } catch (const RetryError&) {
      throw;  // 503: the provider posts it again
    } catch (const std::exception& e) {
      // Never a 4xx for a mail we could not take apart or the host refused: a provider drops
      // the mail then. Stored raw and flagged instead.
      host().error(std::string("POST /inbound: stored raw and flagged: ") + e.what());
      host().submit_inbound(request.id, mapper_.refused_fallback(mail.raw, e.what()));
      return text(200, "stored (flagged: could not be read)");
    }
  }

  // The host holds each answer below until the submit is committed (503 if it fails, so the
  // provider retries; the retry is deduplicated by the Message-ID).
  HttpResponse store(const HttpRequest& request, const WebhookMail& mail) {
    InboundAction action =
        mapper_.map(mail.raw, read_email(mail.raw, config_.read), mail.source, false);
    switch (action.kind) {
      case InboundAction::Kind::message:
        host().submit_inbound(request.id, action.message);
        return text(
            200, action.message.malformed ? "stored (flagged: could not be read fully)" : "stored");
      case InboundAction::Kind::delivery:
        host().submit_delivery(request.id, action.delivery);
        return text(200, "bounce recorded");
      case InboundAction::Kind::event:
        host().submit_event(request.id, action.event);
        return text(200, "auto-reply recorded");
      case InboundAction::Kind::ignore:
        break;
    }
    host().info("POST /inbound not stored: " + action.why);
    return text(200, "not stored: " + action.why);
  }

  const EmailConfig config_;
  MailThreads threads_;
  InboundMapper mapper_;
  OutboundBuilder builder_;
  Host::Metric refused_;
  std::unique_ptr<SmtpOutbox> smtp_;
  std::unique_ptr<MailboxImport> import_;
  std::unique_ptr<MailboxWatcher> watcher_;  // last: stopped and gone before what it calls
};

}  // namespace
}  // namespace omnigate::email

OMNIGATE_PLUGIN(omnigate::email::EmailPlugin, "email", "1.0.0", "email",
                "E-mail: IMAP (IDLE) and provider webhooks in, SMTP out, threads kept",
                omnigate::email::kConfigSchemaJson)
