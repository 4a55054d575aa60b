#include "mailbox_import.hpp"

#include "email_reader.hpp"

#include <charconv>

namespace omnigate::email {
namespace {

// The host's commit callback → the watcher's, as a CommitCallback.
CommitCallback forward(std::function<void(bool)> committed) {
  return
      [committed = std::move(committed)](og_status status, int64_t) { committed(status == OG_OK); };
}

}  // namespace

MailboxImport::MailboxImport(const EmailConfig& config, Host& host, const InboundMapper& mapper)
    : config_(config),
      host_(host),
      mapper_(mapper),
      cursor_key_("imap.cursor:" + config.imap->folder),
      imported_(host.counter("email_imap_imported_total", "Mails imported from the IMAP folder.")),
      ignored_(host.counter("email_imap_ignored_total",
                            "Mails not stored as messages (loops, auto-replies outside "
                            "conversations, bounces naming no reply of ours).")),
      connected_(host.gauge("email_imap_connected", "1 while the IMAP connection is up.")) {}

std::optional<MailboxCursor> MailboxImport::load_cursor() {
  const auto value = host_.kv_get(cursor_key_);
  if (!value) return std::nullopt;
  MailboxCursor c;
  const char* p = value->data();
  const char* end = p + value->size();
  auto r = std::from_chars(p, end, c.uid_validity);
  if (r.ec != std::errc() || r.ptr == end || *r.ptr != ':') return std::nullopt;
  r = std::from_chars(r.ptr + 1, end, c.next_uid);
  if (r.ec != std::errc() || r.ptr != end) return std::nullopt;
  return c;
}

void MailboxImport::save_cursor(const MailboxCursor& cursor) {
  host_.kv_put(cursor_key_,
               std::to_string(cursor.uid_validity) + ":" + std::to_string(cursor.next_uid));
}

void MailboxImport::deliver(uint32_t uid_validity, FetchedMail mail,
                            std::function<void(bool)> committed) {
  (void)uid_validity;  // the Message-ID (or the bytes' digest) identifies a mail, not its UID
  InboundAction action;
  try {
    action = mapper_.map(mail.raw, read_email(mail.raw, config_.read), "imap", mail.truncated);
    switch (action.kind) {
      case InboundAction::Kind::message:
        host_.submit_inbound(0, action.message, forward(committed));
        imported_.add();
        return;
      case InboundAction::Kind::delivery:
        host_.submit_delivery(0, action.delivery, forward(committed));
        return;
      case InboundAction::Kind::event:
        host_.submit_event(0, action.event, forward(committed));
        return;
      case InboundAction::Kind::ignore:
        host_.info("IMAP uid " + std::to_string(mail.uid) + " not stored: " + action.why);
        ignored_.add();
        committed(true);
        return;
    }
  } catch (const RetryError& e) {  // the instance is stopping, the store is busy: offer it again
    host_.warn("IMAP uid " + std::to_string(mail.uid) + " not submitted now: " + e.what());
    committed(false);
  } catch (const std::exception& e) {
    submit_raw_fallback(mail, e.what(), committed);
  }
}

void MailboxImport::submit_raw_fallback(const FetchedMail& mail, const std::string& reason,
                                        const std::function<void(bool)>& committed) {
  host_.error("IMAP uid " + std::to_string(mail.uid) + " refused (" + reason +
              "): stored raw and flagged instead");
  try {
    host_.submit_inbound(0, mapper_.refused_fallback(mail.raw, reason), forward(committed));
  } catch (const std::exception& e) {
    host_.error("IMAP uid " + std::to_string(mail.uid) + " cannot be stored at all (" + e.what() +
                "): left on the server, skipped");
    committed(true);
  }
}

void MailboxImport::log(int level, const std::string& line) {
  host_.log(level < OG_LOG_DEBUG || level > OG_LOG_ERROR ? OG_LOG_INFO : level, line);
}

void MailboxImport::pass_done(int imported, bool connected) {
  (void)imported;
  connected_.set(connected ? 1 : 0);
}

}  // namespace omnigate::email
