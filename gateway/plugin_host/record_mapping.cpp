#include "plugin_host/record_mapping.hpp"

#include "plugin_host/abi_struct.hpp"
#include "plugin_host/blob_streams.hpp"
#include "plugin_host/json_object_check.hpp"

namespace omnigate::plugin_host {
namespace {

// A JSON field the plugin may leave empty; when given it must be an object.
bool empty_or_json_object(og_str s) {
  if (s.len == 0) return true;
  if (s.ptr == nullptr) return false;
  return is_json_object(view_of(s));
}

// A non-empty length with a null pointer would make the host read address 0.
bool valid_str(og_str s) {
  return s.len == 0 || s.ptr != nullptr;
}

// An attachment's parts (ABI 2.0): a blob_ref names bytes already in the store, which must be
// there; Content-ID and disposition are kept as given.
std::string copy_attachment_parts(const og_attachment& a, const BlobStreams* blobs,
                                  store::AttachmentRecord& out) {
  if (!valid_str(a.blob_ref) || !valid_str(a.content_id) || !valid_str(a.disposition))
    return ": a string has a length but no pointer";
  const std::string_view disposition = view_of(a.disposition);
  if (!disposition.empty() && disposition != "attachment" && disposition != "inline")
    return ".disposition must be \"attachment\", \"inline\" or empty";
  out.content_id = copy_of(a.content_id);
  out.disposition = std::string(disposition);
  if (a.blob_ref.len == 0) return {};
  if (a.data.len != 0) return ": give data or a blob_ref, not both";
  const auto sha = blob_sha256_of_ref(view_of(a.blob_ref));
  if (!sha) return ".blob_ref is not a blob reference (\"sha256:<64 hex digits>\")";
  const auto size = blobs != nullptr ? blobs->stored_size(*sha) : std::nullopt;
  if (!size) return ".blob_ref " + copy_of(a.blob_ref) + " is not stored (blob_finish first)";
  out.blob_sha256 = *sha;
  out.size = static_cast<std::int64_t>(*size);
  return {};
}

std::string copy_attachments(const og_attachment* items, size_t count, const BlobStreams* blobs,
                             std::vector<store::AttachmentRecord>& out) {
  std::string error;
  const auto attachments = read_abi_array(items, count, error);
  if (!attachments) return "attachments" + error;
  for (size_t i = 0; i < attachments->size(); ++i) {
    const og_attachment& a = (*attachments)[i];
    const std::string where = "attachments[" + std::to_string(i) + "]";
    if (!valid_str(a.filename) || !valid_str(a.content_type) || !valid_str(a.data) ||
        !valid_str(a.url)) {
      return where + ": a string has a length but no pointer";
    }
    store::AttachmentRecord record{copy_of(a.filename),
                                   copy_of(a.content_type),
                                   copy_of(a.data),
                                   copy_of(a.url),
                                   {},
                                   0,
                                   {},
                                   {}};
    // Fields of ABI 2.0: an older plugin's smaller element reads them as zero.
    if (const std::string problem = copy_attachment_parts(a, blobs, record); !problem.empty())
      return where + problem;
    if (a.data.len == 0 && a.url.len == 0 && record.blob_sha256.empty())
      return where + ": needs data, a blob_ref or a url";
    out.push_back(std::move(record));
  }
  return {};
}

}  // namespace

const char* delivery_state_name(og_delivery_state state) {
  switch (state) {
    case OG_DELIVERY_QUEUED:
      return "queued";
    case OG_DELIVERY_SENT:
      return "sent";
    case OG_DELIVERY_DELIVERED:
      return "delivered";
    case OG_DELIVERY_READ:
      return "read";
    case OG_DELIVERY_UNDELIVERED:
      return "undelivered";
    case OG_DELIVERY_FAILED:
      return "failed";
    default:
      return "";
  }
}

std::string to_inbound_record(const og_inbound_message& in, const RecordSource& source,
                              store::InboundRecord& out) {
  for (og_str s :
       {in.provider_message_id, in.from_kind, in.from_address, in.from_name, in.to_address,
        in.thread_key, in.subject, in.body_text, in.body_html, in.raw, in.metadata_json}) {
    if (!valid_str(s)) return "a string field has a length but no pointer";
  }
  const bool malformed = (in.flags & OG_INBOUND_MALFORMED) != 0;
  if (malformed && in.raw.len == 0) return "raw is required when the message is MALFORMED";
  if (in.from_kind.len == 0) return "from_kind is required";
  if (in.from_address.len == 0) return "from_address is required";
  if (in.priority < 0 || in.priority > 4) return "priority must be 0..4";
  if (!empty_or_json_object(in.metadata_json)) return "metadata_json is not a JSON object";

  out = store::InboundRecord{};
  out.channel_instance = source.instance;
  out.channel_kind = source.channel_kind;
  out.provider_message_id = copy_of(in.provider_message_id);
  out.from_kind = copy_of(in.from_kind);
  out.from_address = copy_of(in.from_address);
  out.from_name = copy_of(in.from_name);
  out.to_address = copy_of(in.to_address);
  out.thread_key = copy_of(in.thread_key);
  out.subject = copy_of(in.subject);
  out.body_text = copy_of(in.body_text);
  out.body_html = copy_of(in.body_html);
  out.raw = copy_of(in.raw);
  out.metadata_json = copy_of(in.metadata_json);
  out.malformed = malformed;
  out.priority = in.priority;
  out.received_at = source.now;
  out.sent_at = in.sent_at_ms;
  std::string skills_error;
  const auto skills = read_abi_array(in.skills, in.skill_count, skills_error);
  if (!skills) return "skills" + skills_error;
  for (size_t i = 0; i < skills->size(); ++i) {
    const og_skill_requirement& s = (*skills)[i];
    if (!valid_str(s.skill) || s.skill.len == 0) {
      return "skills[" + std::to_string(i) + "].skill is empty";
    }
    if (s.min_level < 1 || s.min_level > 5) {
      return "skills[" + std::to_string(i) + "].min_level must be 1..5";
    }
    out.skills.push_back({copy_of(s.skill), s.min_level});
  }
  return copy_attachments(in.attachments, in.attachment_count, source.blobs, out.attachments);
}

std::string to_delivery_record(const og_delivery_report& in, const RecordSource& source,
                               store::DeliveryRecord& out) {
  for (og_str s : {in.provider_message_id, in.error_code, in.error_text, in.raw}) {
    if (!valid_str(s)) return "a string field has a length but no pointer";
  }
  if (in.provider_message_id.len == 0) return "provider_message_id is required";
  const char* state = delivery_state_name(in.state);
  if (*state == '\0') return "state " + std::to_string(in.state) + " is not an OG_DELIVERY_* value";
  out = store::DeliveryRecord{};
  out.channel_instance = source.instance;
  out.provider_message_id = copy_of(in.provider_message_id);
  out.state = state;
  out.error_code = copy_of(in.error_code);
  out.error_text = copy_of(in.error_text);
  out.raw = copy_of(in.raw);
  out.at = source.now;
  return {};
}

std::string to_channel_event_record(const og_channel_event& in, const RecordSource& source,
                                    store::ChannelEventRecord& out) {
  for (og_str s : {in.provider_event_id, in.kind, in.from_kind, in.from_address, in.to_address,
                   in.thread_key, in.data_json}) {
    if (!valid_str(s)) return "a string field has a length but no pointer";
  }
  if (in.kind.len == 0) return "kind is required";
  if (in.from_kind.len == 0 || in.from_address.len == 0) {
    return "from_kind and from_address are required";
  }
  if (!empty_or_json_object(in.data_json)) return "data_json is not a JSON object";
  out = store::ChannelEventRecord{};
  out.channel_instance = source.instance;
  out.channel_kind = source.channel_kind;
  out.provider_event_id = copy_of(in.provider_event_id);
  out.kind = copy_of(in.kind);
  out.from_kind = copy_of(in.from_kind);
  out.from_address = copy_of(in.from_address);
  out.to_address = copy_of(in.to_address);
  out.thread_key = copy_of(in.thread_key);
  out.data_json = copy_of(in.data_json);
  out.at = source.now;
  return copy_attachments(in.attachments, in.attachment_count, source.blobs, out.attachments);
}

OutboundView::OutboundView(const store::OutboxItem& item)
    : message_(make_abi_struct<og_outbound_message>()) {
  for (const auto& a : item.attachments) {
    auto c = make_abi_struct<og_attachment>();
    c.filename = og_str_of(a.filename);
    c.content_type = og_str_of(a.content_type);
    c.data = og_str_of(a.data);
    c.url = og_str_of(a.url);
    if (!a.blob_sha256.empty()) refs_.push_back(blob_ref_of_sha256(a.blob_sha256));
    c.size = !a.blob_sha256.empty() ? static_cast<uint64_t>(a.size) : a.data.size();
    c.content_id = og_str_of(a.content_id);
    c.disposition = og_str_of(a.disposition);
    attachments_.push_back(c);
  }
  // refs_ is complete: its strings no longer move.
  std::size_t ref = 0;
  for (std::size_t i = 0; i < item.attachments.size(); ++i) {
    if (!item.attachments[i].blob_sha256.empty())
      attachments_[i].blob_ref = og_str_of(refs_[ref++]);
  }
  message_.idempotency_key = og_str_of(item.idempotency_key);
  message_.thread_key = og_str_of(item.thread_key);
  message_.to_kind = og_str_of(item.to_kind);
  message_.to_address = og_str_of(item.to_address);
  message_.from_address = og_str_of(item.from_address);
  message_.subject = og_str_of(item.subject);
  message_.body_text = og_str_of(item.body_text);
  message_.body_html = og_str_of(item.body_html);
  message_.in_reply_to = og_str_of(item.in_reply_to);
  message_.attachments = attachments_.empty() ? nullptr : attachments_.data();
  message_.attachment_count = attachments_.size();
  message_.author_name = og_str_of(item.author_name);
  message_.conversation_id = item.conversation_id;
}

}  // namespace omnigate::plugin_host
