// The configuration of one e-mail plugin instance, parsed and validated from the instance's
// JSON (docs: plugins/email/README.md). Secrets may be given inline (or through the gateway
// config's ${ENV} expansion) or as a *_file path read once at start; they are never logged.
#pragma once

#include "email_reader.hpp"
#include "mail_server_settings.hpp"
#include "mailbox_watcher.hpp"

#include <omnigate/plugin.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace omnigate::email {

struct WebhookConfig {
  std::string secret;               // raw message/rfc822 posts: Bearer token or Basic password
  std::string mailgun_signing_key;  // Mailgun routes (body-mime): HMAC-SHA256 signature
  std::string sendgrid_user;        // SendGrid Inbound Parse (raw): Basic auth in the URL
  std::string sendgrid_password;
  int max_signature_age_seconds = 900;     // Mailgun timestamps older (or newer) are refused
  std::size_t max_body_bytes = 40u << 20;  // the whole POST (form overhead + the mail)
};

struct EmailConfig {
  std::string address;               // our mailbox: From of replies, envelope sender
  std::string display_name;          // e.g. "Example Support"
  std::vector<std::string> aliases;  // other addresses that reach this mailbox (lower-case)
  std::string message_id_domain;     // right side of our Message-IDs (default: address's domain)
  bool subject_token = true;         // "[#<conversation id>]" in reply subjects
  std::string signature_text;        // appended to every reply's text
  std::string signature_html;        // appended to every reply's HTML (sanitised on load)
  std::vector<SkillRequirement> skills{{"email", 1}};
  int default_priority = 0;                    // 0 = let the routing policy decide
  ReadOptions read;                            // limits and remote images
  std::size_t max_outbound_bytes = 25u << 20;  // the composed reply, attachments included

  WebhookConfig webhook;
  std::optional<WatcherSettings> imap;     // absent: no mailbox is watched
  std::optional<MailServerSettings> smtp;  // absent: replies fail permanently, saying so
};

// Throws omnigate::ConfigError naming the key (e.g. "imap.port") for unknown keys, missing
// required keys, bad values and unreadable secret files.
EmailConfig parse_config(std::string_view json);

// JSON Schema (draft-07) of the config, published through OMNIGATE_PLUGIN.
extern const char* const kConfigSchemaJson;

}  // namespace omnigate::email
