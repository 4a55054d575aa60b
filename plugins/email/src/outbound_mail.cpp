#include "outbound_mail.hpp"

#include <omnigate/html_escape.hpp>
#include "html_sanitizer.hpp"

#include "digest.hpp"

namespace omnigate::email {
namespace {

constexpr std::size_t kBlobReadBytes = 1 << 20;

}  // namespace

std::string reply_message_id(const OutboundMessage& reply, const std::string& domain) {
  return "og." + std::to_string(reply.conversation_id) + "." +
         sha256_hex(reply.idempotency_key).substr(0, 24) + "@" + domain;
}

ComposeAttachment OutboundBuilder::attachment(const Attachment& a, std::size_t& budget) const {
  ComposeAttachment out;
  out.filename = a.filename;
  out.content_type = a.content_type;
  out.content_id = a.content_id;
  out.inline_part = a.disposition == "inline" && !a.content_id.empty();
  if (!a.blob_ref.empty()) {
    uint64_t total = 0;
    for (;;) {
      auto chunk = host_.blob_read(a.blob_ref, out.data.size(), kBlobReadBytes, &total);
      if (!chunk) throw PermanentError("attachment " + a.filename + " is not in the blob store");
      if (chunk->empty()) break;
      if (chunk->size() > budget)
        throw PermanentError("the reply is larger than max_outbound_bytes (" +
                             std::to_string(config_.max_outbound_bytes) + ")");
      budget -= chunk->size();
      out.data += *chunk;
    }
  } else if (!a.data.empty()) {
    if (a.data.size() > budget)
      throw PermanentError("the reply is larger than max_outbound_bytes (" +
                           std::to_string(config_.max_outbound_bytes) + ")");
    budget -= a.data.size();
    out.data = a.data;
  }
  return out;
}

OutboundMail OutboundBuilder::build(const OutboundMessage& reply, int64_t now_ms) const {
  if (reply.to_kind != "email")
    throw PermanentError("the customer's address is a " + reply.to_kind + ", not an e-mail");
  if (reply.to_address.empty()) throw PermanentError("the conversation has no customer address");
  if (!threads_.wrote_to_us(reply.to_address))
    throw PermanentError(reply.to_address +
                         " never wrote to this mailbox: replies go only to senders");
  if (reply.body_text.empty() && reply.body_html.empty() && reply.attachments.empty())
    throw PermanentError("the reply is empty");

  const ThreadInfo thread = threads_.info(reply.thread_key);
  ComposeInput in;
  in.from.address = config_.address;
  in.from.name = reply.author_name.empty() || config_.display_name.empty()
                     ? (reply.author_name.empty() ? config_.display_name : reply.author_name)
                     : reply.author_name + " (" + config_.display_name + ")";
  in.to.push_back({"", reply.to_address});
  // The agent's own subject (the reply API's `subject`) wins; without one the thread's.
  const std::string& subject = reply.subject.empty() ? thread.subject : reply.subject;
  in.subject = reply_subject(subject, reply.conversation_id, config_.subject_token);
  in.message_id = reply_message_id(reply, config_.message_id_domain);
  in.in_reply_to = reply.in_reply_to;
  in.references = thread.references;
  if (!reply.in_reply_to.empty() &&
      (in.references.empty() || in.references.back() != reply.in_reply_to))
    in.references.push_back(reply.in_reply_to);
  in.date_ms = now_ms;
  in.text = reply.body_text;
  in.html = reply.body_html.empty() ? std::string() : sanitize_html(reply.body_html).html;
  if (!config_.signature_text.empty()) {
    if (in.text.empty() && !in.html.empty()) in.text = html_to_text(in.html);
    in.text += "\n\n-- \n" + config_.signature_text;
  }
  if (!in.html.empty() && (!config_.signature_html.empty() || !config_.signature_text.empty()))
    in.html += config_.signature_html.empty()
                   ? "<p>-- <br>" + html_escape(config_.signature_text) + "</p>"
                   : sanitize_html(config_.signature_html).html;
  in.extra_headers.push_back({"X-Omnigate-Conversation", std::to_string(reply.conversation_id)});
  std::size_t budget = config_.max_outbound_bytes;
  std::string links;  // attachments the agent gave as links travel as links
  for (const auto& a : reply.attachments) {
    if (a.blob_ref.empty() && a.data.empty()) {
      links +=
          "\n- " + (a.filename.empty() ? std::string("attachment") : a.filename) + ": " + a.url;
      continue;
    }
    in.attachments.push_back(attachment(a, budget));
  }
  if (!links.empty()) {
    if (in.text.empty() && !in.html.empty()) in.text = html_to_text(in.html);
    in.text += "\n\nAttachments:" + links;
    if (!in.html.empty()) in.html += "<p>Attachments:" + html_escape(links) + "</p>";
  }

  OutboundMail out;
  out.message_id = in.message_id;
  out.envelope_from = config_.address;
  out.recipient = reply.to_address;
  try {
    out.bytes = compose_email(in);
  } catch (const ComposeError& e) {
    throw PermanentError(std::string("cannot compose the reply: ") + e.what());
  }
  if (out.bytes.size() > config_.max_outbound_bytes + config_.max_outbound_bytes / 3 + 65536)
    throw PermanentError("the composed reply is larger than max_outbound_bytes");
  return out;
}

}  // namespace omnigate::email
