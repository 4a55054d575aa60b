// Turns one received mail (from IMAP or a webhook) into what the gateway stores: a customer's
// message in its thread; a bounce as a delivery failure of the reply it bounced; an
// auto-reply as an event of its thread (never a new conversation, never answered: no loops);
// mail from our own addresses not at all. Large attachments are streamed into the host's
// blob store. Any thread (the IMAP thread or the strand).
#pragma once

#include "email_config.hpp"
#include "mail_threads.hpp"
#include "parsed_email.hpp"

#include <omnigate/plugin.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace omnigate::email {

struct InboundAction {
  enum class Kind { message, delivery, event, ignore } kind = Kind::ignore;
  InboundMessage message;   // Kind::message
  DeliveryReport delivery;  // Kind::delivery
  ChannelEvent event;       // Kind::event
  std::string why;          // Kind::ignore: for the log
};

class InboundMapper {
 public:
  InboundMapper(const EmailConfig& config, Host& host, MailThreads& threads);

  // `raw` is kept as received; `source` ("imap", "mailgun", ...) goes to the metadata;
  // `truncated`: only the first max_message_bytes of a larger mail were received.
  InboundAction map(std::string_view raw, ParsedEmail mail, std::string_view source,
                    bool truncated) const;
  // When the mapped message itself was refused (a blob over the instance's limit, a field the
  // host rejects): the raw bytes as a flagged message of their own, so nothing is dropped.
  InboundMessage refused_fallback(std::string_view raw, const std::string& reason) const;

 private:
  bool ours(const std::string& address) const;
  std::string our_address_in(const ParsedEmail& mail) const;
  std::vector<Attachment> attachments(ParsedEmail& mail) const;

  const EmailConfig& config_;
  Host& host_;
  MailThreads& threads_;
  std::vector<std::string> own_addresses_;  // address and aliases, lower-case: mail from them
                                            // is ours (a loop), mail to them is for us
};

// The id a mail is known by: its Message-ID, or (none given) a digest of its bytes, so that
// the same mail fetched or posted again is still recognised.
std::string provider_id_of(const ParsedEmail& mail, std::string_view raw);

}  // namespace omnigate::email
