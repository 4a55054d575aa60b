// The bridge between the IMAP watcher's thread and the gateway: each fetched mail is read,
// mapped (inbound_mail.hpp) and submitted; the watcher hears "committed" only once the host
// has stored it, and only then flags or moves it on the server. A mail the host refuses is
// stored again as a raw, flagged message, so one bad mail never holds the others back.
#pragma once

#include "email_config.hpp"
#include "inbound_mail.hpp"
#include "mailbox_watcher.hpp"

#include <omnigate/plugin.hpp>

#include <string>

namespace omnigate::email {

class MailboxImport final : public MailboxSink {
 public:
  MailboxImport(const EmailConfig& config, Host& host, const InboundMapper& mapper);

  std::optional<MailboxCursor> load_cursor() override;
  void save_cursor(const MailboxCursor& cursor) override;
  void deliver(uint32_t uid_validity, FetchedMail mail,
               std::function<void(bool committed)> committed) override;
  void log(int level, const std::string& line) override;
  void pass_done(int imported, bool connected) override;

 private:
  void submit_raw_fallback(const FetchedMail& mail, const std::string& reason,
                           const std::function<void(bool)>& committed);

  const EmailConfig& config_;
  Host& host_;
  const InboundMapper& mapper_;
  const std::string cursor_key_;
  Host::Metric imported_, ignored_, connected_;
};

}  // namespace omnigate::email
