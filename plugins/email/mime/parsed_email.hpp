// An inbound e-mail as the plugin stores it: every header the channel needs decoded to UTF-8,
// the bodies decoded to UTF-8 (HTML already sanitised), attachments with their bytes, and what
// went wrong while reading it. Produced by read_email() (email_reader.hpp) from the raw
// RFC 5322 bytes, which the caller keeps as they were.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace omnigate::email {

struct MailAddress {
  std::string name;     // display name, decoded (RFC 2047) to UTF-8; may be empty
  std::string address;  // local@domain; the domain lower-cased, the local part as written
};

struct MailAttachment {
  std::string filename;      // decoded (RFC 2047 / RFC 2231) to UTF-8; metadata only, never a path
  std::string content_type;  // "type/subtype", lower-case, no parameters
  std::string content_id;    // without <>, empty if none
  std::string disposition;   // "attachment" or "inline"
  std::string data;          // the decoded bytes (base64 / quoted-printable undone)
};

// What kind of mail this is: only `message` opens or continues a conversation.
enum class MailKind {
  message,
  auto_reply,  // Auto-Submitted (not "no"), X-Autoreply, X-Autorespond, Precedence bulk/junk/
               // list/auto_reply, vacation subjects with those headers, ...
  bounce,      // a delivery status notification (multipart/report; report-type=delivery-status)
};

struct BounceReport {
  std::string original_message_id;  // Message-ID of our mail that bounced (without <>), if found
  std::string recipient;            // Final-Recipient / Original-Recipient address
  std::string action;               // "failed", "delayed", ...
  std::string status;               // e.g. "5.1.1"
  std::string diagnostic;           // Diagnostic-Code text
};

// SPF/DKIM/DMARC verdicts as the receiving server wrote them in Authentication-Results (kept,
// never re-verified). Each is the result word ("pass", "fail", "none", ...) or empty.
struct AuthenticationResults {
  std::string spf, dkim, dmarc;
  std::string raw;  // the header value(s) as found, joined by "\n"
};

struct ParsedEmail {
  // Threading. Ids are without <>; empty when absent or unparsable.
  std::string message_id;
  std::string in_reply_to;              // the first id of In-Reply-To
  std::vector<std::string> references;  // in header order (oldest first)

  MailAddress from;
  std::vector<MailAddress> reply_to, to, cc;
  std::string subject;  // decoded to UTF-8, unfolded
  int64_t date_ms = 0;  // the Date header as Unix ms; 0 when absent or unparsable

  std::string text;         // the full text body (text/plain; else generated from the HTML)
  std::string html;         // the sanitised HTML body, empty when the mail has none
  std::string new_text;     // `text` without the quoted reply and the signature (for display)
  std::string quoted_text;  // the quoted part of `text` (may be empty)
  std::string signature;    // the signature block of `text` (may be empty)
  std::vector<MailAttachment> attachments;  // attachments and inline parts (cid: images), in
                                            // document order; the bodies chosen above excluded

  MailKind kind = MailKind::message;
  std::string
      kind_reason;      // why it is an auto-reply or bounce, e.g. "Auto-Submitted: auto-replied"
  BounceReport bounce;  // filled when kind == bounce
  AuthenticationResults authentication;

  // Reading problems. `malformed` means the message could not be read completely (over a
  // limit, broken structure, undecodable content): the caller stores the raw bytes and flags
  // the message, and still creates the conversation from what was read.
  bool malformed = false;
  std::vector<std::string> problems;  // human-readable, e.g. "more than 500 parts"
  std::vector<std::string> charsets;  // declared charsets of the text parts, lower-case, in order
};

}  // namespace omnigate::email
