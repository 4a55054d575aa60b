#include "plugin_process/wire.hpp"

#include "plugin_host/abi_struct.hpp"

#include <cstring>

namespace omnigate::plugin_process {

using plugin_host::make_abi_struct;
using plugin_host::read_abi_array;
using plugin_host::view_of;

void WireWriter::f64(double v) {
  std::uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof bits);
  u64(bits);
}

void WireWriter::str(std::string_view s) {
  u64(s.size());
  out_.append(s.data(), s.size());
}

void WireWriter::str(og_str s) {
  str(view_of(s));
}

void WireReader::need(std::size_t n) const {
  if (in_.size() - pos_ < n) throw WireError("frame ends inside a value");
}

std::uint8_t WireReader::u8() {
  need(1);
  return static_cast<std::uint8_t>(in_[pos_++]);
}

double WireReader::f64() {
  const std::uint64_t bits = u64();
  double v = 0;
  std::memcpy(&v, &bits, sizeof v);
  return v;
}

std::string_view WireReader::str() {
  const std::uint64_t n = u64();
  need(n);
  const std::string_view s = in_.substr(pos_, n);
  pos_ += n;
  return s;
}

og_str WireReader::og() {
  const std::string_view s = str();
  return og_str{s.data(), s.size()};
}

std::size_t WireReader::count(std::size_t min_element_bytes) {
  const std::uint64_t n = u64();
  if (min_element_bytes != 0 && n > (in_.size() - pos_) / min_element_bytes)
    throw WireError("element count larger than the frame");
  return n;
}

std::string_view WireArena::keep(std::string s) {
  auto block = std::make_shared<std::string>(std::move(s));
  const std::string_view view = *block;
  blocks_.push_back(std::move(block));
  return view;
}

namespace {

// One field list per struct, visited by the encoder and the decoder alike, so the two can
// never disagree. struct_size is never sent: each side's struct is its own sizeof.
template <class IO>
void fields(IO& io, og_header& v) {
  io(v.name);
  io(v.value);
}
template <class IO>
void fields(IO& io, og_http_request& v) {
  io(v.request_id);
  io(v.method);
  io(v.target);
  io(v.path);
  io(v.query);
  io.array(v.headers, v.header_count, "headers");
  io(v.body);
  io(v.remote_addr);
}
template <class IO>
void fields(IO& io, og_http_response& v) {
  io(v.status);
  io(v.content_type);
  io(v.body);
  io.array(v.headers, v.header_count, "headers");
}
template <class IO>
void fields(IO& io, og_route_options& v) {
  io(v.max_body_bytes);
  io(v.respond_timeout_ms);
}
template <class IO>
void fields(IO& io, og_attachment& v) {
  io(v.filename);
  io(v.content_type);
  io(v.data);
  io(v.url);
  io(v.blob_ref);
  io(v.size);
  io(v.content_id);
  io(v.disposition);
}
template <class IO>
void fields(IO& io, og_skill_requirement& v) {
  io(v.skill);
  io(v.min_level);
}
template <class IO>
void fields(IO& io, og_inbound_message& v) {
  io(v.provider_message_id);
  io(v.from_kind);
  io(v.from_address);
  io(v.from_name);
  io(v.to_address);
  io(v.thread_key);
  io(v.subject);
  io(v.body_text);
  io(v.body_html);
  io.array(v.attachments, v.attachment_count, "attachments");
  io.array(v.skills, v.skill_count, "skills");
  io(v.priority);
  io(v.flags);
  io(v.sent_at_ms);
  io(v.raw);
  io(v.metadata_json);
}
template <class IO>
void fields(IO& io, og_delivery_report& v) {
  io(v.provider_message_id);
  io(v.state);
  io(v.error_code);
  io(v.error_text);
  io(v.raw);
}
template <class IO>
void fields(IO& io, og_channel_event& v) {
  io(v.provider_event_id);
  io(v.kind);
  io(v.from_kind);
  io(v.from_address);
  io(v.to_address);
  io(v.thread_key);
  io(v.data_json);
  io.array(v.attachments, v.attachment_count, "attachments");
}
template <class IO>
void fields(IO& io, og_outbound_message& v) {
  io(v.idempotency_key);
  io(v.thread_key);
  io(v.to_kind);
  io(v.to_address);
  io(v.from_address);
  io(v.subject);
  io(v.body_text);
  io(v.body_html);
  io(v.in_reply_to);
  io.array(v.attachments, v.attachment_count, "attachments");
  io(v.author_name);
  io(v.metadata_json);
  io(v.conversation_id);
}
template <class IO>
void fields(IO& io, og_send_result& v) {
  io(v.status);
  io(v.provider_message_id);
  io(v.error_code);
  io(v.error_text);
  io(v.retry_after_ms);
}
template <class IO>
void fields(IO& io, og_send_lookup& v) {
  io(v.attempts);
  io(v.enqueued_at_ms);
  io.strings(v.taken_ids, v.taken_id_count);
}
template <class IO>
void fields(IO& io, og_unsettled_send& v) {
  io(v.state);
  io(v.outbox_id);
  io(v.provider_message_id);
  io(v.sent_at_ms);
}
template <class IO>
void fields(IO& io, og_fetch_request& v) {
  io(v.method);
  io(v.url);
  io.array(v.headers, v.header_count, "headers");
  io(v.body);
  io(v.basic_auth_user);
  io(v.basic_auth_password);
  io(v.timeout_ms);
  io(v.flags);
}
template <class IO>
void fields(IO& io, og_fetch_response& v) {
  io(v.http_status);
  io.array(v.headers, v.header_count, "headers");
  io(v.body);
  io(v.error);
}
template <class IO>
void fields(IO& io, og_conversation_state& v) {
  io(v.conversation_id);
  io(v.thread_key);
  io(v.customer_kind);
  io(v.customer_address);
  io(v.status);
  io(v.priority);
  io(v.queue_position);
  io(v.expected_wait_ms);
  io(v.agent_id);
  io(v.agent_display_name);
  io(v.agent_contact_json);
}
template <class IO>
void fields(IO& io, og_conversation_notice& v) {
  io(v.change);
  io.pointer(v.state, "state");
  io(v.previous_agent_id);
  io(v.detail_json);
}
template <class IO>
void fields(IO& io, og_conversation_action& v) {
  io(v.kind);
  io(v.conversation_id);
  io(v.thread_key);
  io(v.agent_id);
  io(v.reason);
  io(v.data_json);
}
template <class IO>
void fields(IO& io, og_customer_info& v) {
  io(v.customer_id);
  io(v.display_name);
  io(v.tier);
  io(v.open_conversations);
}
template <class IO>
void fields(IO& io, og_channel_command& v) {
  io(v.conversation_id);
  io(v.thread_key);
  io(v.command);
  io(v.data_json);
  io(v.agent_id);
}

struct Encoder {
  WireWriter& w;
  void operator()(og_str v) { w.str(v); }
  void operator()(std::int32_t v) { w.i32(v); }
  void operator()(std::uint32_t v) { w.u32(v); }
  void operator()(std::int64_t v) { w.i64(v); }
  void operator()(std::uint64_t v) { w.u64(v); }
  template <class T>
  void array(const T* items, std::size_t count, const char* name) {
    std::string error;
    auto normalised = read_abi_array(items, count, error);
    if (!normalised) throw WireError(std::string(name) + error);
    w.u64(normalised->size());
    for (auto& item : *normalised) fields(*this, item);
  }
  void strings(const og_str* items, std::size_t count) {
    if (count != 0 && items == nullptr) throw WireError("taken_ids is NULL with a count");
    w.u64(count);
    for (std::size_t i = 0; i < count; ++i) w.str(items[i]);
  }
  template <class T>
  void pointer(const T* item, const char* name) {
    const auto normalised = plugin_host::read_abi_struct(item);
    if (!normalised) throw WireError(std::string(name) + " is NULL or too small");
    T copy = *normalised;
    fields(*this, copy);
  }
};

// The fewest bytes one T takes on the wire (every string and array empty). An array's count is
// bounded by it, so a forged count cannot make the decoder allocate more than a small multiple
// of the frame: a decoded element takes under three times its smallest encoding
// (og_skill_requirement 32 bytes for 12, og_header 40 for 16, og_attachment 128 for 64).
template <class T>
std::size_t min_wire_bytes() {
  static const std::size_t bytes = [] {
    WireWriter w;
    T empty = make_abi_struct<T>();
    Encoder e{w};
    fields(e, empty);
    return w.bytes().size();
  }();
  return bytes;
}

struct Decoder {
  WireReader& r;
  WireArena& a;
  void operator()(og_str& v) { v = r.og(); }
  void operator()(std::int32_t& v) { v = r.i32(); }
  void operator()(std::uint32_t& v) { v = r.u32(); }
  void operator()(std::int64_t& v) { v = r.i64(); }
  void operator()(std::uint64_t& v) { v = r.u64(); }
  template <class T>
  void array(const T*& items, std::size_t& count, const char*) {
    count = r.count(min_wire_bytes<T>());
    T* out = a.make<T>(count);
    for (std::size_t i = 0; i < count; ++i) {
      out[i] = make_abi_struct<T>();
      fields(*this, out[i]);
    }
    items = count == 0 ? nullptr : out;
  }
  void strings(const og_str*& items, std::size_t& count) {
    count = r.count(8);
    og_str* out = a.make<og_str>(count);
    for (std::size_t i = 0; i < count; ++i) out[i] = r.og();
    items = count == 0 ? nullptr : out;
  }
  template <class T>
  void pointer(const T*& item, const char*) {
    T* out = a.make<T>(1);
    *out = make_abi_struct<T>();
    fields(*this, *out);
    item = out;
  }
};

// Encoding visits a copy: the visitor takes fields by value and never writes.
template <class T>
void write_struct(WireWriter& w, const T& v) {
  T copy = v;
  Encoder e{w};
  fields(e, copy);
}

template <class T>
T read_struct(WireReader& r, WireArena& a) {
  T v = make_abi_struct<T>();
  Decoder d{r, a};
  fields(d, v);
  return v;
}

template <class T>
T read_flat_struct(WireReader& r) {
  WireArena unused;  // structs without arrays allocate nothing
  return read_struct<T>(r, unused);
}

}  // namespace

// clang-format off
void write_http_request(WireWriter& w, const og_http_request& v) { write_struct(w, v); }
og_http_request read_http_request(WireReader& r, WireArena& a) { return read_struct<og_http_request>(r, a); }
void write_http_response(WireWriter& w, const og_http_response& v) { write_struct(w, v); }
og_http_response read_http_response(WireReader& r, WireArena& a) { return read_struct<og_http_response>(r, a); }
void write_route_options(WireWriter& w, const og_route_options& v) { write_struct(w, v); }
og_route_options read_route_options(WireReader& r) { return read_flat_struct<og_route_options>(r); }
void write_inbound_message(WireWriter& w, const og_inbound_message& v) { write_struct(w, v); }
og_inbound_message read_inbound_message(WireReader& r, WireArena& a) { return read_struct<og_inbound_message>(r, a); }
void write_delivery_report(WireWriter& w, const og_delivery_report& v) { write_struct(w, v); }
og_delivery_report read_delivery_report(WireReader& r) { return read_flat_struct<og_delivery_report>(r); }
void write_channel_event(WireWriter& w, const og_channel_event& v) { write_struct(w, v); }
og_channel_event read_channel_event(WireReader& r, WireArena& a) { return read_struct<og_channel_event>(r, a); }
void write_outbound_message(WireWriter& w, const og_outbound_message& v) { write_struct(w, v); }
og_outbound_message read_outbound_message(WireReader& r, WireArena& a) { return read_struct<og_outbound_message>(r, a); }
void write_send_result(WireWriter& w, const og_send_result& v) { write_struct(w, v); }
og_send_result read_send_result(WireReader& r) { return read_flat_struct<og_send_result>(r); }
void write_send_lookup(WireWriter& w, const og_send_lookup& v) { write_struct(w, v); }
og_send_lookup read_send_lookup(WireReader& r, WireArena& a) { return read_struct<og_send_lookup>(r, a); }
void write_unsettled_send(WireWriter& w, const og_unsettled_send& v) { write_struct(w, v); }
og_unsettled_send read_unsettled_send(WireReader& r) { return read_flat_struct<og_unsettled_send>(r); }
void write_fetch_request(WireWriter& w, const og_fetch_request& v) { write_struct(w, v); }
og_fetch_request read_fetch_request(WireReader& r, WireArena& a) { return read_struct<og_fetch_request>(r, a); }
void write_fetch_response(WireWriter& w, const og_fetch_response& v) { write_struct(w, v); }
og_fetch_response read_fetch_response(WireReader& r, WireArena& a) { return read_struct<og_fetch_response>(r, a); }
void write_conversation_state(WireWriter& w, const og_conversation_state& v) { write_struct(w, v); }
og_conversation_state read_conversation_state(WireReader& r) { return read_flat_struct<og_conversation_state>(r); }
void write_conversation_notice(WireWriter& w, const og_conversation_notice& v) { write_struct(w, v); }
og_conversation_notice read_conversation_notice(WireReader& r, WireArena& a) { return read_struct<og_conversation_notice>(r, a); }
void write_conversation_action(WireWriter& w, const og_conversation_action& v) { write_struct(w, v); }
og_conversation_action read_conversation_action(WireReader& r) { return read_flat_struct<og_conversation_action>(r); }
void write_customer_info(WireWriter& w, const og_customer_info& v) { write_struct(w, v); }
og_customer_info read_customer_info(WireReader& r) { return read_flat_struct<og_customer_info>(r); }
void write_channel_command(WireWriter& w, const og_channel_command& v) { write_struct(w, v); }
og_channel_command read_channel_command(WireReader& r) { return read_flat_struct<og_channel_command>(r); }
// clang-format on

}  // namespace omnigate::plugin_process
