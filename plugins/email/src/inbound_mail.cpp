#include "inbound_mail.hpp"

#include "ascii_text.hpp"
#include "digest.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace omnigate::email {
namespace {

using nlohmann::json;

// Attachments above this go to the blob store chunk by chunk instead of through the message.
constexpr std::size_t kInlineAttachmentBytes = 512 * 1024;
constexpr std::size_t kBlobChunkBytes = 256 * 1024;
constexpr std::size_t kEventTextBytes = 2000;
// Who a mail without a usable From is filed under: one customer record for all of them, in the
// reserved .invalid domain (RFC 2606), so no reply can ever be sent there.
constexpr std::string_view kUnknownSender = "unknown-sender@invalid";

std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

json addresses(const std::vector<MailAddress>& list) {
  json out = json::array();
  for (const auto& a : list) out.push_back({{"name", a.name}, {"address", a.address}});
  return out;
}

std::string metadata(const ParsedEmail& mail, std::string_view source) {
  json m = {{"source", source},
            {"message_id", mail.message_id},
            {"in_reply_to", mail.in_reply_to},
            {"references", mail.references},
            {"to", addresses(mail.to)},
            {"cc", addresses(mail.cc)},
            {"reply_to", addresses(mail.reply_to)},
            {"new_text", mail.new_text},
            {"quoted_text", mail.quoted_text},
            {"signature", mail.signature},
            {"charsets", mail.charsets}};
  if (!mail.authentication.raw.empty())
    m["authentication"] = {{"spf", mail.authentication.spf},
                           {"dkim", mail.authentication.dkim},
                           {"dmarc", mail.authentication.dmarc},
                           {"raw", mail.authentication.raw}};
  if (!mail.problems.empty()) m["problems"] = mail.problems;
  return dump(m);
}

std::string utf8_prefix(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;  // not mid-character
  return std::string(s.substr(0, n));
}

}  // namespace

std::string provider_id_of(const ParsedEmail& mail, std::string_view raw) {
  if (!mail.message_id.empty()) return mail.message_id;
  return "sha256:" + sha256_hex(raw);
}

InboundMapper::InboundMapper(const EmailConfig& config, Host& host, MailThreads& threads)
    : config_(config), host_(host), threads_(threads), own_addresses_(config.aliases) {
  own_addresses_.push_back(ascii_lower(config.address));
}

bool InboundMapper::ours(const std::string& address) const {
  const std::string a = ascii_lower(address);
  return std::find(own_addresses_.begin(), own_addresses_.end(), a) != own_addresses_.end();
}

std::string InboundMapper::our_address_in(const ParsedEmail& mail) const {
  for (const auto* list : {&mail.to, &mail.cc})
    for (const auto& a : *list)
      if (ours(a.address)) return ascii_lower(a.address);
  return config_.address;
}

std::vector<Attachment> InboundMapper::attachments(ParsedEmail& mail) const {
  std::vector<Attachment> out;
  for (auto& part : mail.attachments) {
    Attachment a;
    a.filename = part.filename;
    a.content_type = part.content_type;
    a.content_id = part.content_id;
    a.disposition = part.disposition;
    a.size = part.data.size();
    if (part.data.size() > kInlineAttachmentBytes) {
      Host::BlobWriter blob(host_);
      for (std::size_t at = 0; at < part.data.size(); at += kBlobChunkBytes)
        blob.write(std::string_view(part.data).substr(at, kBlobChunkBytes));
      a.blob_ref = blob.finish(&a.size);
    } else {
      a.data = std::move(part.data);
    }
    out.push_back(std::move(a));
  }
  return out;
}

InboundAction InboundMapper::map(std::string_view raw, ParsedEmail mail, std::string_view source,
                                 bool truncated) const {
  InboundAction action;
  if (ours(mail.from.address)) {
    action.why = "sent from our own address " + mail.from.address + " (a loop)";
    return action;
  }
  const std::string id = provider_id_of(mail, raw);

  if (mail.kind == MailKind::bounce) {
    if (mail.bounce.original_message_id.empty()) {
      action.why = "a bounce that names no message of ours (" + mail.kind_reason + ")";
      return action;
    }
    if (mail.bounce.action == "delayed") {
      action.why = "a delay notice for " + mail.bounce.original_message_id;
      return action;
    }
    action.kind = InboundAction::Kind::delivery;
    action.delivery.provider_message_id = mail.bounce.original_message_id;
    action.delivery.state =
        mail.bounce.status.starts_with("5") ? OG_DELIVERY_FAILED : OG_DELIVERY_UNDELIVERED;
    action.delivery.error_code = mail.bounce.status;
    action.delivery.error_text = mail.bounce.diagnostic.empty()
                                     ? "bounced: " + mail.bounce.recipient
                                     : mail.bounce.diagnostic;
    action.delivery.raw = std::string(raw.substr(0, 64 * 1024));
    return action;
  }

  const auto known_thread = threads_.find(mail);
  if (mail.kind == MailKind::auto_reply) {
    if (!known_thread) {
      action.why = "an auto-reply outside any conversation (" + mail.kind_reason + ")";
      return action;
    }
    action.kind = InboundAction::Kind::event;
    auto& e = action.event;
    e.provider_event_id = id;
    e.kind = "email.auto_reply";
    e.from_kind = "email";
    e.from_address = mail.from.address;
    e.to_address = our_address_in(mail);
    e.thread_key = *known_thread;
    e.data_json = dump({{"reason", mail.kind_reason},
                        {"subject", mail.subject},
                        {"message_id", mail.message_id},
                        {"text", utf8_prefix(mail.text, kEventTextBytes)}});
    return action;
  }

  action.kind = InboundAction::Kind::message;
  auto& m = action.message;
  m.provider_message_id = id;
  m.from_kind = "email";
  m.from_address = mail.from.address.empty() ? std::string(kUnknownSender) : mail.from.address;
  m.from_name = mail.from.name;
  m.to_address = our_address_in(mail);
  m.thread_key = known_thread.value_or(id);
  m.subject = mail.subject;
  m.skills = config_.skills;
  m.priority = config_.default_priority;
  m.sent_at_ms = mail.date_ms;
  if (truncated) {
    mail.malformed = true;
    mail.problems.push_back("larger than limits.max_message_bytes (" +
                            std::to_string(config_.read.limits.max_message_bytes) +
                            " bytes): only its beginning was fetched");
  }
  m.malformed = mail.malformed;
  m.raw = std::string(raw);
  threads_.remember_inbound(mail, id, m.thread_key);
  m.attachments = attachments(mail);
  m.metadata_json = metadata(mail, source);
  m.body_text = std::move(mail.text);
  m.body_html = std::move(mail.html);
  if (m.body_text.empty() && m.malformed)
    m.body_text = "(this mail could not be read completely: " +
                  (mail.problems.empty() ? std::string("see the raw message") : mail.problems[0]) +
                  ")";
  return action;
}

InboundMessage InboundMapper::refused_fallback(std::string_view raw,
                                               const std::string& reason) const {
  InboundMessage m;
  m.provider_message_id = "refused:sha256:" + sha256_hex(raw);
  m.from_kind = "email";
  m.from_address = kUnknownSender;
  m.thread_key = m.provider_message_id;
  m.to_address = config_.address;
  m.subject = "(a mail that could not be stored as received)";
  m.body_text = "This mail could not be stored as received: " + reason +
                ". Its raw bytes are kept with this message.";
  m.malformed = true;
  m.raw = std::string(raw);
  m.skills = config_.skills;
  m.priority = config_.default_priority;
  return m;
}

}  // namespace omnigate::email
