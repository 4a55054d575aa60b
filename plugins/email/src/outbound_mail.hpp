// An agent's reply as a mail: From our mailbox (with the agent's name), To the customer
// (only an address that wrote to us: the API can never make us an open relay), the thread's
// subject with "Re:" and our [#id] token, In-Reply-To and References continuing the
// customer's thread, a Message-ID on our domain derived from the outbox row's idempotency key
// (a re-send after a crash carries the same id, so clients show it once), the instance's
// signature, and the agent's attachments read from the blob store (links, which the reply API
// takes today, are listed in the text).
#pragma once

#include "email_composer.hpp"
#include "email_config.hpp"
#include "mail_threads.hpp"

#include <omnigate/plugin.hpp>

#include <string>

namespace omnigate::email {

struct OutboundMail {
  std::string message_id;  // without <>
  std::string envelope_from;
  std::string recipient;
  std::string bytes;  // the composed message
};

class OutboundBuilder {
 public:
  OutboundBuilder(const EmailConfig& config, const Host& host, const MailThreads& threads)
      : config_(config), host_(host), threads_(threads) {}

  // Throws PermanentError (with the reason) for a reply that must not or cannot be sent.
  OutboundMail build(const OutboundMessage& reply, int64_t now_ms) const;

 private:
  ComposeAttachment attachment(const Attachment& a, std::size_t& budget) const;

  const EmailConfig& config_;
  const Host& host_;
  const MailThreads& threads_;
};

// "og.<conversation>.<hash of the idempotency key>@<domain>"
std::string reply_message_id(const OutboundMessage& reply, const std::string& domain);

}  // namespace omnigate::email
