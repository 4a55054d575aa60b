#include "mail_kind.hpp"
#include "ascii_text.hpp"

#include "charset_conversion.hpp"
#include "delivery_status.hpp"
#include "header_decoding.hpp"

#include <array>
#include <string>
#include <utility>

namespace omnigate::email {
namespace {

std::string_view trim(std::string_view text) {
  const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

// A header's value, unfolded and trimmed, for a decision and its reason; empty if absent.
std::string header_value(GMimeObject* message, const char* name) {
  const char* value = g_mime_object_get_header(message, name);
  if (value == nullptr) return {};
  constexpr std::size_t kMaxReason = 120;
  std::string text(trim(std::string_view(value).substr(0, kMaxReason)));
  make_valid_utf8(text);
  return text;
}

// The multipart/report of a DSN: the message itself, or a part of its top-level multipart
// (some gateways wrap the report in a multipart/mixed to add a footer).
GMimeMultipart* find_report(GMimeMessage* message) {
  GMimeObject* top = g_mime_message_get_mime_part(message);
  if (top == nullptr || !GMIME_IS_MULTIPART(top)) return nullptr;
  const auto is_report = [](GMimeObject* object) {
    return GMIME_IS_MULTIPART(object) &&
           g_mime_content_type_is_type(g_mime_object_get_content_type(object), "multipart",
                                       "report");
  };
  if (is_report(top)) return GMIME_MULTIPART(top);
  const int count = g_mime_multipart_get_count(GMIME_MULTIPART(top));
  for (int i = 0; i < count; ++i) {
    GMimeObject* part = g_mime_multipart_get_part(GMIME_MULTIPART(top), i);
    if (is_report(part)) return GMIME_MULTIPART(part);
  }
  return nullptr;
}

bool from_mail_system(const MailAddress& from) {
  const std::string address = ascii_lower(from.address);
  const std::string local = address.substr(0, address.find('@'));
  const std::string name = ascii_lower(from.name);
  return local == "mailer-daemon" || local == "postmaster" ||
         name.find("mail delivery") != std::string::npos;
}

bool bounce_subject(std::string_view subject) {
  static constexpr std::array<std::string_view, 12> kSubjects{"undelivered mail returned to sender",
                                                              "undeliverable",
                                                              "delivery status notification",
                                                              "mail delivery failed",
                                                              "returned mail",
                                                              "failure notice",
                                                              "delivery failure",
                                                              "message not delivered",
                                                              "delivery has failed",
                                                              "undelivered mail",
                                                              "mail delivery failure",
                                                              "non-delivery report"};
  const std::string lowered = ascii_lower(subject);
  for (std::string_view known : kSubjects)
    if (lowered.find(known) != std::string::npos) return true;
  return false;
}

// The Message-ID of the returned mail in an old-style bounce: an attached mail, else a
// "Message-ID:" line of the copy quoted in the text.
std::string returned_id_of_old_bounce(GMimeMessage* message, std::string_view text) {
  GMimeObject* top = g_mime_message_get_mime_part(message);
  if (top != nullptr && GMIME_IS_MULTIPART(top)) {
    const int count = g_mime_multipart_get_count(GMIME_MULTIPART(top));
    for (int i = 0; i < count; ++i) {
      std::string id = returned_message_id(g_mime_multipart_get_part(GMIME_MULTIPART(top), i));
      if (!id.empty()) return id;
    }
  }
  const std::string lowered = ascii_lower(text);
  for (std::size_t at = lowered.find("message-id:"); at != std::string::npos;
       at = lowered.find("message-id:", at + 1)) {
    if (at != 0 && lowered[at - 1] != '\n') continue;
    const std::size_t open = text.find('<', at);
    const std::size_t close = open == std::string::npos ? open : text.find('>', open);
    const std::size_t line_end = text.find('\n', at);
    if (close == std::string::npos || close > line_end) continue;
    return std::string(text.substr(open + 1, close - open - 1));
  }
  return {};
}

bool classify_bounce(GMimeMessage* message, std::string_view text, ReadContext& context) {
  ParsedEmail& out = context.out;
  if (GMimeMultipart* report = find_report(message)) {
    const char* report_type =
        g_mime_object_get_content_type_parameter(GMIME_OBJECT(report), "report-type");
    const std::string type = ascii_lower(report_type != nullptr ? report_type : "");
    if (type == "delivery-status") {
      out.kind = MailKind::bounce;
      out.kind_reason = "multipart/report; report-type=delivery-status";
      out.bounce = read_delivery_report(report);
      return true;
    }
    if (type == "disposition-notification") {  // a read receipt: never a conversation
      out.kind = MailKind::auto_reply;
      out.kind_reason = "multipart/report; report-type=disposition-notification";
      return true;
    }
  }
  if (!from_mail_system(out.from)) return false;
  GMimeObject* object = GMIME_OBJECT(message);
  std::string return_path = header_value(object, "Return-Path");
  std::erase_if(return_path, [](char c) { return c == ' ' || c == '\t'; });
  if (return_path == "<>") {
    out.kind_reason = "From: " + out.from.address + " with Return-Path: <>";
  } else if (bounce_subject(out.subject)) {
    out.kind_reason = "From: " + out.from.address + " with Subject: " + out.subject;
  } else {
    return false;
  }
  out.kind = MailKind::bounce;
  out.bounce.recipient = header_value(object, "X-Failed-Recipients");
  if (const std::size_t comma = out.bounce.recipient.find(','); comma != std::string::npos)
    out.bounce.recipient.resize(comma);
  out.bounce.original_message_id = returned_id_of_old_bounce(message, text);
  make_valid_utf8(out.bounce.original_message_id);
  return true;
}

// Which header says an auto-responder or a list server sent the mail; empty if none does.
// (X-Auto-Response-Suppress is not one: Outlook puts it on people's mails too.)
std::string auto_reply_reason(GMimeObject* message) {
  if (std::string value = header_value(message, "Auto-Submitted");
      !value.empty() && ascii_lower(value.substr(0, value.find_first_of("; \t"))) != "no")
    return "Auto-Submitted: " + value;
  if (std::string value = header_value(message, "X-Autoreply");
      !value.empty() && ascii_lower(value) != "no")
    return "X-Autoreply: " + value;
  if (std::string value = header_value(message, "X-Autorespond"); !value.empty())
    return "X-Autorespond: " + value;
  if (std::string value = header_value(message, "Precedence");
      ascii_lower(value) == "bulk" || ascii_lower(value) == "junk" ||
      ascii_lower(value) == "list" || ascii_lower(value) == "auto_reply")
    return "Precedence: " + value;
  return {};
}

}  // namespace

void classify_mail(GMimeMessage* message, std::string_view text, ReadContext& context) {
  if (classify_bounce(message, text, context)) return;
  if (std::string reason = auto_reply_reason(GMIME_OBJECT(message)); !reason.empty()) {
    context.out.kind = MailKind::auto_reply;
    context.out.kind_reason = std::move(reason);
  }
}

}  // namespace omnigate::email
