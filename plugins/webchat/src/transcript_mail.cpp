#include "transcript_mail.hpp"

#include <omnigate/html_escape.hpp>
#include "email_composer.hpp"
#include "mail_server_settings.hpp"
#include "smtp_client.hpp"

#include <omnigate/plugin.hpp>

#include <curl/curl.h>
#include <date/date.h>

#include <array>
#include <chrono>
#include <memory>
#include <random>
#include <stdexcept>

namespace omnigate::webchat {
namespace {

using nlohmann::json;

std::string key_name(std::string_view key) {
  return "mail." + std::string(key);
}

std::string string_value(const json& v, std::string_view key) {
  if (!v.is_string()) throw ConfigError(key_name(key), "must be a string");
  return v.get<std::string>();
}

// local@domain with nothing a header or an SMTP command could be split with.
bool is_plain_address(std::string_view a) {
  const auto at = a.find('@');
  return at != std::string_view::npos && at != 0 && at + 1 != a.size() &&
         a.find('@', at + 1) == std::string_view::npos &&
         a.find_first_of(" \t\r\n<>,;:\"()[]\\") == std::string_view::npos;
}

struct CurlUrlDeleter {
  void operator()(CURLU* url) const { curl_url_cleanup(url); }
};

// One part of a URL parsed by libcurl; empty when the URL has none.
std::string url_part(CURLU* url, CURLUPart part) {
  char* value = nullptr;
  if (curl_url_get(url, part, &value, 0) != CURLUE_OK || value == nullptr) return {};
  std::string out(value);
  curl_free(value);
  return out;
}

// Where smtp_send connects: the URL read by libcurl's own parser (the one that will use it).
email::MailServerSettings smtp_server(const MailSettings& s) {
  const std::string key = key_name("smtp_url");
  std::unique_ptr<CURLU, CurlUrlDeleter> url(curl_url());
  if (!url) throw std::bad_alloc();
  if (curl_url_set(url.get(), CURLUPART_URL, s.smtp_url.c_str(), 0) != CURLUE_OK)
    throw ConfigError(key, "must be a URL like smtp://mail.example.com:587");
  const std::string scheme = url_part(url.get(), CURLUPART_SCHEME);
  if (scheme != "smtp" && scheme != "smtps") throw ConfigError(key, "must be smtp:// or smtps://");
  if (!url_part(url.get(), CURLUPART_USER).empty() ||
      !url_part(url.get(), CURLUPART_PASSWORD).empty())
    throw ConfigError(key, "must not hold credentials (use mail.username and mail.password)");
  const std::string path = url_part(url.get(), CURLUPART_PATH);
  if ((!path.empty() && path != "/") || !url_part(url.get(), CURLUPART_QUERY).empty() ||
      !url_part(url.get(), CURLUPART_FRAGMENT).empty())
    throw ConfigError(key, "must be only scheme, host and port");
  email::MailServerSettings server;
  server.host = url_part(url.get(), CURLUPART_HOST);
  if (server.host.size() > 2 && server.host.front() == '[' && server.host.back() == ']')
    server.host = server.host.substr(1, server.host.size() - 2);  // smtp_send adds them back
  if (server.host.empty()) throw ConfigError(key, "has no host");
  const std::string port = url_part(url.get(), CURLUPART_PORT);
  if (!port.empty()) server.port = static_cast<uint16_t>(std::stoi(port));  // libcurl: 0..65535
  if (scheme == "smtps") {
    if (s.starttls) throw ConfigError(key_name("starttls"), "is for smtp:// (smtps:// is TLS)");
    server.tls = email::MailTls::implicit;
  } else {
    server.tls = s.starttls ? email::MailTls::starttls : email::MailTls::none;
  }
  server.user = s.username;
  server.password = s.password;
  server.timeout_seconds = static_cast<int>((s.timeout_ms + 999) / 1000);
  return server;
}

std::string domain_of(std::string_view address) {
  return std::string(address.substr(address.find('@') + 1));
}

std::string random_hex(std::size_t bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::random_device random;
  std::string out;
  for (std::size_t i = 0; i < bytes; ++i) {
    const auto byte = random() & 0xff;
    out += kDigits[byte >> 4];
    out += kDigits[byte & 15];
  }
  return out;
}

std::string utc_iso8601(int64_t at_ms) {
  const date::sys_seconds at{
      std::chrono::floor<std::chrono::seconds>(std::chrono::milliseconds{at_ms})};
  return date::format("%FT%TZ", at);
}

enum class Author { visitor, agent, event };

Author author_of(const TranscriptLine& line) {
  if (line.author == "visitor") return Author::visitor;
  if (line.author == "agent") return Author::agent;
  if (line.author == "event") return Author::event;
  throw std::invalid_argument("transcript line author \"" + line.author +
                              "\" is not visitor, agent or event");
}

std::string display_name(const TranscriptLine& line, Author author) {
  if (!line.name.empty()) return line.name;
  return author == Author::agent ? "Agent" : "Visitor";
}

// `text` with every line after the first indented, so that a message of several lines stays
// visibly one entry of the plain-text transcript.
std::string indent_continuations(std::string_view text) {
  std::string out;
  for (char c : text) {
    out += c;
    if (c == '\n') out += "  ";
  }
  return out;
}

// Escaped HTML with line breaks kept as <br>.
std::string html_lines(std::string_view text) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find('\n', start);
    append_html_escaped(out, text.substr(start, end - start));
    if (end == std::string_view::npos) return out;
    out += "<br>";
    start = end + 1;
  }
}

email::ComposeAddress sender(const MailSettings& s, std::string name) {
  return email::ComposeAddress{std::move(name), s.from_address};
}

}  // namespace

MailSettings MailSettings::from_json(const json& mail) {
  if (!mail.is_object()) throw ConfigError("mail", "must be an object");
  MailSettings s;
  for (const auto& [key, value] : mail.items()) {
    if (key == "smtp_url") {
      s.smtp_url = string_value(value, key);
    } else if (key == "username") {
      s.username = string_value(value, key);
    } else if (key == "password") {
      s.password = string_value(value, key);
    } else if (key == "from_address") {
      s.from_address = string_value(value, key);
      if (!is_plain_address(s.from_address))
        throw ConfigError(key_name(key), "must be an address like chat@example.com");
    } else if (key == "from_name") {
      s.from_name = string_value(value, key);
      if (s.from_name.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos)
        throw ConfigError(key_name(key), "must be one line");
    } else if (key == "starttls") {
      if (!value.is_boolean()) throw ConfigError(key_name(key), "must be true or false");
      s.starttls = value.get<bool>();
    } else if (key == "timeout_ms") {
      if (!value.is_number_integer() || value.get<long long>() < 1000 ||
          value.get<long long>() > 600000)
        throw ConfigError(key_name(key), "must be an integer between 1000 and 600000");
      s.timeout_ms = static_cast<long>(value.get<long long>());
    } else {
      throw ConfigError(key_name(key), "unknown key");
    }
  }
  if (s.smtp_url.empty()) throw ConfigError(key_name("smtp_url"), "is required");
  if (s.from_address.empty()) throw ConfigError(key_name("from_address"), "is required");
  smtp_server(s);  // the URL checked now, not at the first send
  return s;
}

const char* const kMailSchema = R"json({
  "type": "object",
  "description": "How the chat sends e-mail: transcripts visitors ask for and replies to offline-form messages. Absent: no e-mail.",
  "additionalProperties": false,
  "required": ["smtp_url", "from_address"],
  "properties": {
    "smtp_url": {
      "type": "string",
      "pattern": "^smtps?://[^/?#@]+/?$",
      "description": "smtp://host:port (plain, or STARTTLS with starttls) or smtps://host:port (TLS)"
    },
    "username": {"type": "string"},
    "password": {"type": "string", "description": "Never logged"},
    "from_address": {"type": "string", "pattern": "^[^@\\s<>,;:\"()\\[\\]\\\\]+@[^@\\s<>,;:\"()\\[\\]\\\\]+$"},
    "from_name": {"type": "string", "pattern": "^[^\\r\\n]*$"},
    "starttls": {"type": "boolean", "default": false, "description": "Require STARTTLS on smtp://"},
    "timeout_ms": {"type": "integer", "minimum": 1000, "maximum": 600000, "default": 30000}
  }
})json";

std::string compose_transcript_mail(const MailSettings& s, std::string_view to,
                                    std::string_view site_name,
                                    const std::vector<TranscriptLine>& lines) {
  const std::string title = "Your chat with " + std::string(site_name);
  std::string text = title + "\r\n\r\n";
  std::string html = "<!DOCTYPE html>\r\n<html><head><meta charset=\"utf-8\"><title>" +
                     html_escape(title) + "</title></head>\r\n<body>\r\n<h1>" + html_escape(title) +
                     "</h1>\r\n";
  for (const TranscriptLine& line : lines) {
    const Author author = author_of(line);
    const std::string at = utc_iso8601(line.at_ms);
    text += "[" + at + "] ";
    html += "<p><small>" + at + "</small><br>";
    if (author == Author::event) {
      text += indent_continuations(line.text);
      html += "<em>" + html_lines(line.text) + "</em>";
    } else {
      const std::string name = display_name(line, author);
      text += name + ": " + indent_continuations(line.text);
      html += "<strong>" + html_escape(name) + "</strong>: " + html_lines(line.text);
    }
    for (const std::string& attachment : line.attachment_names) {
      text += "\n  Attachment: " + attachment;
      html += "<br><em>Attachment: " + html_escape(attachment) + "</em>";
    }
    text += "\n";
    html += "</p>\r\n";
  }
  html += "</body></html>\r\n";

  email::ComposeInput mail;
  mail.from = sender(s, s.from_name);
  mail.to.push_back(email::ComposeAddress{"", std::string(to)});
  mail.subject = title;
  mail.message_id = "webchat.transcript." + random_hex(16) + "@" + domain_of(s.from_address);
  mail.text = std::move(text);
  mail.html = std::move(html);
  return email::compose_email(mail);
}

std::string compose_reply_mail(const MailSettings& s, std::string_view to, std::string_view subject,
                               std::string_view body_text, std::string_view agent_name,
                               std::string_view message_id_seed, std::string_view in_reply_to) {
  if (message_id_seed.empty() ||
      message_id_seed.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                        "0123456789._-") != std::string_view::npos)
    throw std::invalid_argument("message_id_seed must be letters, digits, '.', '-' and '_'");
  std::string from_name(agent_name);
  if (!from_name.empty() && !s.from_name.empty())
    from_name += " (" + s.from_name + ")";
  else if (from_name.empty())
    from_name = s.from_name;

  email::ComposeInput mail;
  mail.from = sender(s, std::move(from_name));
  mail.to.push_back(email::ComposeAddress{"", std::string(to)});
  mail.subject = std::string(subject);
  mail.message_id = std::string(message_id_seed) + "@" + domain_of(s.from_address);
  if (!in_reply_to.empty()) {
    mail.in_reply_to = std::string(in_reply_to);
    mail.references.push_back(mail.in_reply_to);
  }
  mail.text = std::string(body_text);
  return email::compose_email(mail);
}

MailSender::MailSender(MailSettings settings)
    : settings_(std::move(settings)),
      queue_(smtp_server(settings_)) {}  // refused there, before the thread starts

MailSender::~MailSender() {
  stopping_ = true;
  queue_.stop();
}

void MailSender::send(std::string to, std::string raw_message,
                      std::function<void(bool ok, std::string error)> done) {
  queue_.send(settings_.from_address, {std::move(to)}, std::move(raw_message),
              [this, done = std::move(done)](const email::SmtpOutcome& outcome) {
                if (stopping_ || !done) return;  // the cancelled send of a destructor
                const bool ok = outcome.kind == email::SmtpOutcome::Kind::sent;
                done(ok, ok ? std::string() : outcome.reply_text);
              });
}

}  // namespace omnigate::webchat
