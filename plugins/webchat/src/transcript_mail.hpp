// E-mail for the web chat: the transcript a visitor asks for, and agents' replies to
// conversations that began in the offline form. Composed by the e-mail plugin's composer
// (og_email_compose: GMime, RFC 2047 headers, header injection refused) and sent by its SMTP
// client (og_email_transport: libcurl, cancellable), never by MIME or SMTP code of our own.
#pragma once

#include "smtp_queue.hpp"

#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::webchat {

// The value of the instance config's `mail` object.
struct MailSettings {
  std::string smtp_url;            // smtp://host[:port] or smtps://host[:port]
  std::string username, password;  // may be empty; never logged
  std::string from_address, from_name;
  bool starttls = false;  // require STARTTLS on smtp:// (refused with smtps://)
  long timeout_ms = 30000;
  // Throws omnigate::ConfigError("mail.<key>", why): unknown keys, a URL that is not smtp(s)
  // with a host, a bad from_address, CR/LF in from_name, a timeout outside 1000..600000.
  static MailSettings from_json(const nlohmann::json& mail);
};

// The JSON Schema (draft-07) of the `mail` object, for the plugin's config schema.
extern const char* const kMailSchema;

struct TranscriptLine {
  std::string author;  // "visitor" | "agent" | "event"
  std::string name;    // display name; empty: "Visitor" / "Agent"
  std::string text;
  int64_t at_ms = 0;  // Unix ms
  std::vector<std::string> attachment_names;
};

// The whole transcript as an RFC 5322 message (CRLF, ready for SMTP DATA): text/plain with a
// text/html alternative (every text HTML-escaped), From `from_name <from_address>`, To `to`,
// Subject "Your chat with <site_name>", Date now, a fresh Message-ID at the sender's domain.
// Times are shown as UTC ISO-8601. Throws std::invalid_argument (email::ComposeError) for a
// CR, LF or NUL in `to` or `site_name`, or an invalid `to` address.
std::string compose_transcript_mail(const MailSettings& s, std::string_view to,
                                    std::string_view site_name,
                                    const std::vector<TranscriptLine>& lines);

// An agent's reply to an offline-form conversation: text/plain `body_text`, From
// "<agent_name> (<from_name>)" at from_address (either name may be empty), the subject as
// given, Message-ID <message_id_seed@domain of from_address> (the same seed gives the same id,
// so a retried reply is recognisably the same mail; the seed is letters, digits, '.', '-' and
// '_'), In-Reply-To and References <in_reply_to> when it is not empty. Throws
// std::invalid_argument for CR/LF/NUL in any header value, a bad seed or address.
std::string compose_reply_mail(const MailSettings& s, std::string_view to, std::string_view subject,
                               std::string_view body_text, std::string_view agent_name,
                               std::string_view message_id_seed, std::string_view in_reply_to);

// Sends mails one at a time on its own thread, in the order given (SMTP is a blocking
// conversation that must never hold up the caller). Envelope sender: from_address.
class MailSender {
 public:
  // Throws omnigate::ConfigError("mail.smtp_url", ...) for settings from_json would refuse.
  explicit MailSender(MailSettings settings);
  // Abandons the send in progress and the queued ones, and joins the thread: once it has
  // begun no `done` runs any more, so `done` may capture what is destroyed after the sender.
  ~MailSender();
  MailSender(const MailSender&) = delete;
  MailSender& operator=(const MailSender&) = delete;

  // `done` runs once on the sender's thread (the plugin posts back to its strand): ok, or the
  // server's reply / libcurl's error. `to` is a bare address.
  void send(std::string to, std::string raw_message,
            std::function<void(bool ok, std::string error)> done);

 private:
  const MailSettings settings_;
  std::atomic<bool> stopping_{false};  // set by the destructor: no `done` runs from then on
  email::SmtpQueue queue_;
};

}  // namespace omnigate::webchat
