// The value encoding between the gateway and a plugin-host process (plugin_process/wire.hpp):
// every struct the ABI passes survives write_* then read_* field for field, the struct_size
// rules of the ABI hold across the wire (older plugins' fields read as zero, newer plugins'
// arrays stepped by their size), a plugin's malformed array is refused before it crosses, and
// a truncated or forged frame from the (untrusted) child throws WireError without allocating
// by a forged count.
#include "plugin_host/abi_struct.hpp"
#include "plugin_process/wire.hpp"

#include "allocation_probe.hpp"
#include "wire_kinds.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

using namespace omnigate::plugin_process;
using omnigate::plugin_host::make_abi_struct;
using omnigate::plugin_host::read_abi_struct;
using omnigate::plugin_host::view_of;
using omnigate::plugin_process::test::AllocationProbe;
using omnigate::plugin_process::test::reencode;
using omnigate::plugin_process::test::WireKind;

namespace {

// Distinct string values that each hold a NUL and bytes that are not UTF-8.
class Strings {
 public:
  og_str operator()(std::string_view name) {
    std::string s(name);
    s += std::string("\0\xff\xfe", 3);
    s += std::to_string(kept_.size());
    kept_.push_back(std::move(s));
    return og_str{kept_.back().data(), kept_.back().size()};
  }

 private:
  std::deque<std::string> kept_;  // a deque never moves what it holds
};

bool same(og_str a, og_str b) {
  return view_of(a) == view_of(b);
}

// Writes `encoding` as a seed of the wire fuzz target when OG_WIRE_CORPUS_DIR is set.
void keep_as_seed(WireKind kind, const std::string& name, const std::string& encoding) {
  const char* dir = std::getenv("OG_WIRE_CORPUS_DIR");
  if (dir == nullptr) return;
  std::filesystem::create_directories(dir);
  std::ofstream out(std::filesystem::path(dir) / name, std::ios::binary);
  out.put(static_cast<char>(kind));
  out << encoding;
}

// ---------------------------------------------------------------- values with every field set

std::vector<og_header> headers(Strings& s, std::size_t n) {
  std::vector<og_header> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto h = make_abi_struct<og_header>();
    h.name = s("header-name");
    h.value = s("header-value");
    out.push_back(h);
  }
  return out;
}

std::vector<og_attachment> attachments(Strings& s, std::size_t n) {
  std::vector<og_attachment> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto a = make_abi_struct<og_attachment>();
    a.filename = s("filename");
    a.content_type = s("content_type");
    a.data = s("data");
    a.url = s("url");
    a.blob_ref = s("blob_ref");
    a.size = 0x0102030405060708ull + i;
    a.content_id = s("content_id");
    a.disposition = s("disposition");
    out.push_back(a);
  }
  return out;
}

std::vector<og_skill_requirement> skills(Strings& s, std::size_t n) {
  std::vector<og_skill_requirement> out;
  for (std::size_t i = 0; i < n; ++i) {
    auto k = make_abi_struct<og_skill_requirement>();
    k.skill = s("skill");
    k.min_level = -7 - static_cast<std::int32_t>(i);
    out.push_back(k);
  }
  return out;
}

void check_headers(const og_header* got, std::size_t got_count,
                   const std::vector<og_header>& want) {
  REQUIRE(got_count == want.size());
  if (want.empty()) CHECK(got == nullptr);
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(got[i].struct_size == sizeof(og_header));
    CHECK(same(got[i].name, want[i].name));
    CHECK(same(got[i].value, want[i].value));
  }
}

void check_attachments(const og_attachment* got, std::size_t got_count,
                       const std::vector<og_attachment>& want) {
  REQUIRE(got_count == want.size());
  if (want.empty()) CHECK(got == nullptr);
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(got[i].struct_size == sizeof(og_attachment));
    CHECK(same(got[i].filename, want[i].filename));
    CHECK(same(got[i].content_type, want[i].content_type));
    CHECK(same(got[i].data, want[i].data));
    CHECK(same(got[i].url, want[i].url));
    CHECK(same(got[i].blob_ref, want[i].blob_ref));
    CHECK(got[i].size == want[i].size);
    CHECK(same(got[i].content_id, want[i].content_id));
    CHECK(same(got[i].disposition, want[i].disposition));
  }
}

og_conversation_state conversation_state(Strings& s) {
  auto v = make_abi_struct<og_conversation_state>();
  v.conversation_id = -0x1122334455667788ll;
  v.thread_key = s("thread_key");
  v.customer_kind = s("customer_kind");
  v.customer_address = s("customer_address");
  v.status = s("status");
  v.priority = 3;
  v.queue_position = 17;
  v.expected_wait_ms = -1;
  v.agent_id = s("agent_id");
  v.agent_display_name = s("agent_display_name");
  v.agent_contact_json = s("agent_contact_json");
  return v;
}

void check_conversation_state(const og_conversation_state& got, const og_conversation_state& want) {
  CHECK(got.struct_size == sizeof(og_conversation_state));
  CHECK(got.conversation_id == want.conversation_id);
  CHECK(same(got.thread_key, want.thread_key));
  CHECK(same(got.customer_kind, want.customer_kind));
  CHECK(same(got.customer_address, want.customer_address));
  CHECK(same(got.status, want.status));
  CHECK(got.priority == want.priority);
  CHECK(got.queue_position == want.queue_position);
  CHECK(got.expected_wait_ms == want.expected_wait_ms);
  CHECK(same(got.agent_id, want.agent_id));
  CHECK(same(got.agent_display_name, want.agent_display_name));
  CHECK(same(got.agent_contact_json, want.agent_contact_json));
}

// Encodes with `write`, decodes with `read` (which must use the whole frame), and keeps the
// encoding as a fuzz seed.
template <class T, class Write, class Read>
T round_trip(WireKind kind, const std::string& seed_name, const T& value, Write write, Read read,
             std::string& frame) {
  WireWriter w;
  write(w, value);
  frame = w.take();
  keep_as_seed(kind, seed_name, frame);
  WireReader r(frame);
  T back = read(r);
  CHECK(r.at_end());
  bool at_end = false;
  CHECK(reencode(kind, frame, &at_end) == frame);  // canonical: decode then encode is identity
  CHECK(at_end);
  return back;
}

}  // namespace

TEST_CASE("wire: every struct survives write then read with every field set",
          "[plugin_process][wire]") {
  const std::size_t n = GENERATE(0u, 1u, 3u);
  const std::string suffix = "_" + std::to_string(n);
  Strings s;
  WireArena arena;
  std::string frame;

  SECTION("og_http_request") {
    const auto hs = headers(s, n);
    auto v = make_abi_struct<og_http_request>();
    v.request_id = 0xfedcba9876543210ull;
    v.method = s("method");
    v.target = s("target");
    v.path = s("path");
    v.query = s("query");
    v.headers = hs.empty() ? nullptr : hs.data();
    v.header_count = hs.size();
    v.body = s("body");
    v.remote_addr = s("remote_addr");
    const auto back = round_trip(
        WireKind::http_request, "http_request" + suffix, v, write_http_request,
        [&](WireReader& r) { return read_http_request(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_http_request));
    CHECK(back.request_id == v.request_id);
    CHECK(same(back.method, v.method));
    CHECK(same(back.target, v.target));
    CHECK(same(back.path, v.path));
    CHECK(same(back.query, v.query));
    check_headers(back.headers, back.header_count, hs);
    CHECK(same(back.body, v.body));
    CHECK(same(back.remote_addr, v.remote_addr));
  }
  SECTION("og_http_response") {
    const auto hs = headers(s, n);
    auto v = make_abi_struct<og_http_response>();
    v.status = -418;
    v.content_type = s("content_type");
    v.body = s("body");
    v.headers = hs.empty() ? nullptr : hs.data();
    v.header_count = hs.size();
    const auto back = round_trip(
        WireKind::http_response, "http_response" + suffix, v, write_http_response,
        [&](WireReader& r) { return read_http_response(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_http_response));
    CHECK(back.status == v.status);
    CHECK(same(back.content_type, v.content_type));
    CHECK(same(back.body, v.body));
    check_headers(back.headers, back.header_count, hs);
  }
  SECTION("og_route_options") {
    auto v = make_abi_struct<og_route_options>();
    v.max_body_bytes = 0x8000000000000001ull + n;
    v.respond_timeout_ms = 0xfffffff0u;
    const auto back = round_trip(WireKind::route_options, "route_options" + suffix, v,
                                 write_route_options, read_route_options, frame);
    CHECK(back.struct_size == sizeof(og_route_options));
    CHECK(back.max_body_bytes == v.max_body_bytes);
    CHECK(back.respond_timeout_ms == v.respond_timeout_ms);
  }
  SECTION("og_inbound_message") {
    const auto as = attachments(s, n);
    const auto ks = skills(s, n);
    auto v = make_abi_struct<og_inbound_message>();
    v.provider_message_id = s("provider_message_id");
    v.from_kind = s("from_kind");
    v.from_address = s("from_address");
    v.from_name = s("from_name");
    v.to_address = s("to_address");
    v.thread_key = s("thread_key");
    v.subject = s("subject");
    v.body_text = s("body_text");
    v.body_html = s("body_html");
    v.attachments = as.empty() ? nullptr : as.data();
    v.attachment_count = as.size();
    v.skills = ks.empty() ? nullptr : ks.data();
    v.skill_count = ks.size();
    v.priority = 4;
    v.flags = OG_INBOUND_MALFORMED | 0x40;
    v.sent_at_ms = -1234567890123ll;
    v.raw = s("raw");
    v.metadata_json = s("metadata_json");
    const auto back = round_trip(
        WireKind::inbound_message, "inbound_message" + suffix, v, write_inbound_message,
        [&](WireReader& r) { return read_inbound_message(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_inbound_message));
    CHECK(same(back.provider_message_id, v.provider_message_id));
    CHECK(same(back.from_kind, v.from_kind));
    CHECK(same(back.from_address, v.from_address));
    CHECK(same(back.from_name, v.from_name));
    CHECK(same(back.to_address, v.to_address));
    CHECK(same(back.thread_key, v.thread_key));
    CHECK(same(back.subject, v.subject));
    CHECK(same(back.body_text, v.body_text));
    CHECK(same(back.body_html, v.body_html));
    check_attachments(back.attachments, back.attachment_count, as);
    REQUIRE(back.skill_count == ks.size());
    if (ks.empty()) CHECK(back.skills == nullptr);
    for (std::size_t i = 0; i < ks.size(); ++i) {
      CHECK(back.skills[i].struct_size == sizeof(og_skill_requirement));
      CHECK(same(back.skills[i].skill, ks[i].skill));
      CHECK(back.skills[i].min_level == ks[i].min_level);
    }
    CHECK(back.priority == v.priority);
    CHECK(back.flags == v.flags);
    CHECK(back.sent_at_ms == v.sent_at_ms);
    CHECK(same(back.raw, v.raw));
    CHECK(same(back.metadata_json, v.metadata_json));
  }
  SECTION("og_delivery_report") {
    auto v = make_abi_struct<og_delivery_report>();
    v.provider_message_id = s("provider_message_id");
    v.state = OG_DELIVERY_UNDELIVERED + static_cast<og_delivery_state>(n) * 100;
    v.error_code = s("error_code");
    v.error_text = s("error_text");
    v.raw = s("raw");
    const auto back = round_trip(WireKind::delivery_report, "delivery_report" + suffix, v,
                                 write_delivery_report, read_delivery_report, frame);
    CHECK(back.struct_size == sizeof(og_delivery_report));
    CHECK(same(back.provider_message_id, v.provider_message_id));
    CHECK(back.state == v.state);
    CHECK(same(back.error_code, v.error_code));
    CHECK(same(back.error_text, v.error_text));
    CHECK(same(back.raw, v.raw));
  }
  SECTION("og_channel_event") {
    const auto as = attachments(s, n);
    auto v = make_abi_struct<og_channel_event>();
    v.provider_event_id = s("provider_event_id");
    v.kind = s("kind");
    v.from_kind = s("from_kind");
    v.from_address = s("from_address");
    v.to_address = s("to_address");
    v.thread_key = s("thread_key");
    v.data_json = s("data_json");
    v.attachments = as.empty() ? nullptr : as.data();
    v.attachment_count = as.size();
    const auto back = round_trip(
        WireKind::channel_event, "channel_event" + suffix, v, write_channel_event,
        [&](WireReader& r) { return read_channel_event(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_channel_event));
    CHECK(same(back.provider_event_id, v.provider_event_id));
    CHECK(same(back.kind, v.kind));
    CHECK(same(back.from_kind, v.from_kind));
    CHECK(same(back.from_address, v.from_address));
    CHECK(same(back.to_address, v.to_address));
    CHECK(same(back.thread_key, v.thread_key));
    CHECK(same(back.data_json, v.data_json));
    check_attachments(back.attachments, back.attachment_count, as);
  }
  SECTION("og_outbound_message") {
    const auto as = attachments(s, n);
    auto v = make_abi_struct<og_outbound_message>();
    v.idempotency_key = s("idempotency_key");
    v.thread_key = s("thread_key");
    v.to_kind = s("to_kind");
    v.to_address = s("to_address");
    v.from_address = s("from_address");
    v.subject = s("subject");
    v.body_text = s("body_text");
    v.body_html = s("body_html");
    v.in_reply_to = s("in_reply_to");
    v.attachments = as.empty() ? nullptr : as.data();
    v.attachment_count = as.size();
    v.author_name = s("author_name");
    v.metadata_json = s("metadata_json");
    v.conversation_id = 0x7edcba9876543210ll;
    const auto back = round_trip(
        WireKind::outbound_message, "outbound_message" + suffix, v, write_outbound_message,
        [&](WireReader& r) { return read_outbound_message(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_outbound_message));
    CHECK(same(back.idempotency_key, v.idempotency_key));
    CHECK(same(back.thread_key, v.thread_key));
    CHECK(same(back.to_kind, v.to_kind));
    CHECK(same(back.to_address, v.to_address));
    CHECK(same(back.from_address, v.from_address));
    CHECK(same(back.subject, v.subject));
    CHECK(same(back.body_text, v.body_text));
    CHECK(same(back.body_html, v.body_html));
    CHECK(same(back.in_reply_to, v.in_reply_to));
    check_attachments(back.attachments, back.attachment_count, as);
    CHECK(same(back.author_name, v.author_name));
    CHECK(same(back.metadata_json, v.metadata_json));
    CHECK(back.conversation_id == v.conversation_id);
  }
  SECTION("og_send_result") {
    auto v = make_abi_struct<og_send_result>();
    v.status = OG_RETRY;
    v.provider_message_id = s("provider_message_id");
    v.error_code = s("error_code");
    v.error_text = s("error_text");
    v.retry_after_ms = -2000 - static_cast<std::int32_t>(n);
    const auto back = round_trip(WireKind::send_result, "send_result" + suffix, v,
                                 write_send_result, read_send_result, frame);
    CHECK(back.struct_size == sizeof(og_send_result));
    CHECK(back.status == v.status);
    CHECK(same(back.provider_message_id, v.provider_message_id));
    CHECK(same(back.error_code, v.error_code));
    CHECK(same(back.error_text, v.error_text));
    CHECK(back.retry_after_ms == v.retry_after_ms);
  }
  SECTION("og_send_lookup") {
    std::vector<og_str> taken;
    for (std::size_t i = 0; i < n; ++i) taken.push_back(s("taken_id"));
    auto v = make_abi_struct<og_send_lookup>();
    v.attempts = 9;
    v.enqueued_at_ms = 1700000000123ll;
    v.taken_ids = taken.empty() ? nullptr : taken.data();
    v.taken_id_count = taken.size();
    const auto back = round_trip(
        WireKind::send_lookup, "send_lookup" + suffix, v, write_send_lookup,
        [&](WireReader& r) { return read_send_lookup(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_send_lookup));
    CHECK(back.attempts == v.attempts);
    CHECK(back.enqueued_at_ms == v.enqueued_at_ms);
    REQUIRE(back.taken_id_count == taken.size());
    if (taken.empty()) CHECK(back.taken_ids == nullptr);
    for (std::size_t i = 0; i < taken.size(); ++i) CHECK(same(back.taken_ids[i], taken[i]));
  }
  SECTION("og_unsettled_send") {
    auto v = make_abi_struct<og_unsettled_send>();
    v.state = OG_DELIVERY_SENT;
    v.outbox_id = 0x1000000000000ll + static_cast<std::int64_t>(n);
    v.provider_message_id = s("provider_message_id");
    v.sent_at_ms = -5;
    const auto back = round_trip(WireKind::unsettled_send, "unsettled_send" + suffix, v,
                                 write_unsettled_send, read_unsettled_send, frame);
    CHECK(back.struct_size == sizeof(og_unsettled_send));
    CHECK(back.state == v.state);
    CHECK(back.outbox_id == v.outbox_id);
    CHECK(same(back.provider_message_id, v.provider_message_id));
    CHECK(back.sent_at_ms == v.sent_at_ms);
  }
  SECTION("og_fetch_request") {
    const auto hs = headers(s, n);
    auto v = make_abi_struct<og_fetch_request>();
    v.method = s("method");
    v.url = s("url");
    v.headers = hs.empty() ? nullptr : hs.data();
    v.header_count = hs.size();
    v.body = s("body");
    v.basic_auth_user = s("basic_auth_user");
    v.basic_auth_password = s("basic_auth_password");
    v.timeout_ms = 123456;
    v.flags = OG_FETCH_ALLOW_PRIVATE | 0x100;
    const auto back = round_trip(
        WireKind::fetch_request, "fetch_request" + suffix, v, write_fetch_request,
        [&](WireReader& r) { return read_fetch_request(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_fetch_request));
    CHECK(same(back.method, v.method));
    CHECK(same(back.url, v.url));
    check_headers(back.headers, back.header_count, hs);
    CHECK(same(back.body, v.body));
    CHECK(same(back.basic_auth_user, v.basic_auth_user));
    CHECK(same(back.basic_auth_password, v.basic_auth_password));
    CHECK(back.timeout_ms == v.timeout_ms);
    CHECK(back.flags == v.flags);
  }
  SECTION("og_fetch_response") {
    const auto hs = headers(s, n);
    auto v = make_abi_struct<og_fetch_response>();
    v.http_status = 599;
    v.headers = hs.empty() ? nullptr : hs.data();
    v.header_count = hs.size();
    v.body = s("body");
    v.error = s("error");
    const auto back = round_trip(
        WireKind::fetch_response, "fetch_response" + suffix, v, write_fetch_response,
        [&](WireReader& r) { return read_fetch_response(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_fetch_response));
    CHECK(back.http_status == v.http_status);
    check_headers(back.headers, back.header_count, hs);
    CHECK(same(back.body, v.body));
    CHECK(same(back.error, v.error));
  }
  SECTION("og_conversation_state") {
    const auto v = conversation_state(s);
    const auto back = round_trip(WireKind::conversation_state, "conversation_state" + suffix, v,
                                 write_conversation_state, read_conversation_state, frame);
    check_conversation_state(back, v);
  }
  SECTION("og_conversation_notice with its state") {
    const auto state = conversation_state(s);
    auto v = make_abi_struct<og_conversation_notice>();
    v.change = OG_CONVERSATION_TRANSFERRED + static_cast<og_conversation_change>(n) * 10;
    v.state = &state;
    v.previous_agent_id = s("previous_agent_id");
    const auto back = round_trip(
        WireKind::conversation_notice, "conversation_notice" + suffix, v, write_conversation_notice,
        [&](WireReader& r) { return read_conversation_notice(r, arena); }, frame);
    CHECK(back.struct_size == sizeof(og_conversation_notice));
    CHECK(back.change == v.change);
    REQUIRE(back.state != nullptr);
    CHECK(back.state != &state);
    check_conversation_state(*back.state, state);
    CHECK(same(back.previous_agent_id, v.previous_agent_id));
  }
}

// ---------------------------------------------------------------- struct_size across the wire

TEST_CASE("wire: an older plugin's smaller structs read back with the fields it lacks as zero",
          "[plugin_process][wire]") {
  Strings s;
  WireArena arena;

  // An inbound message of a minor before `raw` and `metadata_json`, whose attachments end
  // before `content_id`: the memory past each struct_size holds values a reader must not take.
  constexpr std::size_t kOldMessage = offsetof(og_inbound_message, raw);
  constexpr std::size_t kOldAttachment = offsetof(og_attachment, content_id);
  static_assert(kOldAttachment % alignof(og_attachment) == 0);
  const auto full = attachments(s, 3);
  std::vector<std::max_align_t> storage(3 * kOldAttachment / sizeof(std::max_align_t) + 1);
  auto* packed = reinterpret_cast<unsigned char*>(storage.data());
  for (std::size_t i = 0; i < full.size(); ++i) {
    og_attachment old = full[i];
    old.struct_size = kOldAttachment;
    std::memcpy(packed + i * kOldAttachment, &old, kOldAttachment);
  }
  auto message = make_abi_struct<og_inbound_message>();
  message.struct_size = kOldMessage;
  message.provider_message_id = s("provider_message_id");
  message.body_text = s("body_text");
  message.attachments = static_cast<const og_attachment*>(static_cast<const void*>(packed));
  message.attachment_count = full.size();
  message.sent_at_ms = 42;
  message.raw = s("not part of the old struct");
  message.metadata_json = s("not part of the old struct either");

  const auto normalised = read_abi_struct(&message);  // as the plugin-host process does
  REQUIRE(normalised);
  WireWriter w;
  write_inbound_message(w, *normalised);
  const std::string frame = w.take();
  WireReader r(frame);
  const auto back = read_inbound_message(r, arena);
  CHECK(r.at_end());
  CHECK(back.struct_size == sizeof(og_inbound_message));
  CHECK(same(back.provider_message_id, message.provider_message_id));
  CHECK(same(back.body_text, message.body_text));
  CHECK(back.sent_at_ms == 42);
  CHECK(back.raw.len == 0);
  CHECK(back.metadata_json.len == 0);
  REQUIRE(back.attachment_count == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(same(back.attachments[i].filename, full[i].filename));
    CHECK(same(back.attachments[i].blob_ref, full[i].blob_ref));
    CHECK(back.attachments[i].size == full[i].size);
    CHECK(back.attachments[i].content_id.len == 0);
    CHECK(back.attachments[i].disposition.len == 0);
  }

  SECTION("the state of a conversation notice, read through its own struct_size") {
    auto state = conversation_state(s);
    state.struct_size = offsetof(og_conversation_state, agent_contact_json);
    auto notice = make_abi_struct<og_conversation_notice>();
    notice.change = OG_CONVERSATION_ASSIGNED;
    notice.state = &state;
    WireWriter nw;
    write_conversation_notice(nw, notice);
    const std::string notice_frame = nw.take();
    WireReader nr(notice_frame);
    const auto notice_back = read_conversation_notice(nr, arena);
    REQUIRE(notice_back.state != nullptr);
    CHECK(same(notice_back.state->agent_display_name, state.agent_display_name));
    CHECK(notice_back.state->agent_contact_json.len == 0);
  }
}

TEST_CASE("wire: a newer plugin's larger array elements are stepped by their own size",
          "[plugin_process][wire]") {
  Strings s;
  WireArena arena;
  // Headers of a later minor: 16 more bytes each, filled with a pattern a reader must skip.
  constexpr std::size_t kNewHeader = sizeof(og_header) + 16;
  static_assert(kNewHeader % alignof(og_header) == 0);
  const auto want = headers(s, 3);
  std::vector<std::max_align_t> storage(3 * kNewHeader / sizeof(std::max_align_t) + 1);
  auto* packed = reinterpret_cast<unsigned char*>(storage.data());
  std::memset(packed, 0xab, 3 * kNewHeader);
  for (std::size_t i = 0; i < want.size(); ++i) {
    og_header h = want[i];
    h.struct_size = kNewHeader;
    std::memcpy(packed + i * kNewHeader, &h, sizeof h);
  }
  auto request = make_abi_struct<og_http_request>();
  request.method = s("method");
  request.headers = static_cast<const og_header*>(static_cast<const void*>(packed));
  request.header_count = 3;
  request.body = s("body");

  WireWriter w;
  write_http_request(w, request);
  const std::string frame = w.take();
  WireReader r(frame);
  const auto back = read_http_request(r, arena);
  CHECK(r.at_end());
  check_headers(back.headers, back.header_count, want);
  CHECK(same(back.method, request.method));
  CHECK(same(back.body, request.body));
}

// ---------------------------------------------------------------- malformed arrays

TEST_CASE("wire: a plugin's malformed array is refused by write_* with the field's name",
          "[plugin_process][wire]") {
  using Catch::Matchers::Contains;
  Strings s;
  auto hs = headers(s, 3);
  auto as = attachments(s, 3);
  auto ks = skills(s, 2);
  hs[2].struct_size = sizeof(og_header) + 8;  // one array is one C type: sizes cannot differ
  as[1].struct_size = sizeof(og_attachment) - 8;
  ks[1].struct_size = 0;
  WireWriter w;

  SECTION("a count with a NULL pointer") {
    auto request = make_abi_struct<og_http_request>();
    request.header_count = 2;
    REQUIRE_THROWS_MATCHES(write_http_request(w, request), WireError,
                           Catch::Matchers::Message("headers is NULL but its count is 2"));
    auto response = make_abi_struct<og_http_response>();
    response.header_count = 1;
    REQUIRE_THROWS_WITH(write_http_response(w, response), Contains("headers is NULL"));
    auto fetch = make_abi_struct<og_fetch_request>();
    fetch.header_count = 1;
    REQUIRE_THROWS_WITH(write_fetch_request(w, fetch), Contains("headers is NULL"));
    auto fetched = make_abi_struct<og_fetch_response>();
    fetched.header_count = 1;
    REQUIRE_THROWS_WITH(write_fetch_response(w, fetched), Contains("headers is NULL"));
    auto inbound = make_abi_struct<og_inbound_message>();
    inbound.skill_count = 1;
    REQUIRE_THROWS_WITH(write_inbound_message(w, inbound), Contains("skills is NULL"));
    inbound.skill_count = 0;
    inbound.attachment_count = 4;
    REQUIRE_THROWS_WITH(write_inbound_message(w, inbound), Contains("attachments is NULL"));
    auto event = make_abi_struct<og_channel_event>();
    event.attachment_count = 1;
    REQUIRE_THROWS_WITH(write_channel_event(w, event), Contains("attachments is NULL"));
    auto outbound = make_abi_struct<og_outbound_message>();
    outbound.attachment_count = 1;
    REQUIRE_THROWS_WITH(write_outbound_message(w, outbound), Contains("attachments is NULL"));
    auto lookup = make_abi_struct<og_send_lookup>();
    lookup.taken_id_count = 3;
    REQUIRE_THROWS_WITH(write_send_lookup(w, lookup), Contains("taken_ids"));
    auto notice = make_abi_struct<og_conversation_notice>();
    REQUIRE_THROWS_WITH(write_conversation_notice(w, notice), Contains("state is NULL"));
  }
  SECTION("elements whose struct_size differs from the first's, or is no size at all") {
    auto request = make_abi_struct<og_http_request>();
    request.headers = hs.data();
    request.header_count = hs.size();
    REQUIRE_THROWS_WITH(write_http_request(w, request), Contains("headers[2]: struct_size"));
    auto outbound = make_abi_struct<og_outbound_message>();
    outbound.attachments = as.data();
    outbound.attachment_count = as.size();
    REQUIRE_THROWS_WITH(write_outbound_message(w, outbound),
                        Contains("attachments[1]: struct_size"));
    auto inbound = make_abi_struct<og_inbound_message>();
    inbound.skills = ks.data();
    inbound.skill_count = ks.size();
    REQUIRE_THROWS_WITH(write_inbound_message(w, inbound), Contains("skills[1]: struct_size"));
    ks[0].struct_size = 2;  // smaller than struct_size itself
    REQUIRE_THROWS_WITH(write_inbound_message(w, inbound), Contains("skills[0]: struct_size 2"));
    auto state = make_abi_struct<og_conversation_state>();
    state.struct_size = 0;
    auto notice = make_abi_struct<og_conversation_notice>();
    notice.state = &state;
    REQUIRE_THROWS_WITH(write_conversation_notice(w, notice),
                        Contains("state is NULL or too small"));
  }
}

// ---------------------------------------------------------------- untrusted frames

namespace {

// A frame of `kind` with every array at 3 elements (the round-trip values).
std::string full_frame(WireKind kind, Strings& s) {
  const auto hs = headers(s, 3);
  const auto as = attachments(s, 3);
  const auto ks = skills(s, 3);
  const og_str taken[3] = {s("a"), s("b"), s("c")};
  const auto state = conversation_state(s);
  WireWriter w;
  switch (kind) {
    case WireKind::http_request: {
      auto v = make_abi_struct<og_http_request>();
      v.method = s("m");
      v.headers = hs.data();
      v.header_count = 3;
      v.body = s("b");
      write_http_request(w, v);
      break;
    }
    case WireKind::http_response: {
      auto v = make_abi_struct<og_http_response>();
      v.body = s("b");
      v.headers = hs.data();
      v.header_count = 3;
      write_http_response(w, v);
      break;
    }
    case WireKind::route_options:
      write_route_options(w, make_abi_struct<og_route_options>());
      break;
    case WireKind::inbound_message: {
      auto v = make_abi_struct<og_inbound_message>();
      v.provider_message_id = s("p");
      v.attachments = as.data();
      v.attachment_count = 3;
      v.skills = ks.data();
      v.skill_count = 3;
      v.metadata_json = s("{}");
      write_inbound_message(w, v);
      break;
    }
    case WireKind::delivery_report: {
      auto v = make_abi_struct<og_delivery_report>();
      v.raw = s("r");
      write_delivery_report(w, v);
      break;
    }
    case WireKind::channel_event: {
      auto v = make_abi_struct<og_channel_event>();
      v.kind = s("k");
      v.attachments = as.data();
      v.attachment_count = 3;
      write_channel_event(w, v);
      break;
    }
    case WireKind::outbound_message: {
      auto v = make_abi_struct<og_outbound_message>();
      v.body_text = s("t");
      v.attachments = as.data();
      v.attachment_count = 3;
      v.conversation_id = 7;
      write_outbound_message(w, v);
      break;
    }
    case WireKind::send_result: {
      auto v = make_abi_struct<og_send_result>();
      v.error_text = s("e");
      write_send_result(w, v);
      break;
    }
    case WireKind::send_lookup: {
      auto v = make_abi_struct<og_send_lookup>();
      v.taken_ids = taken;
      v.taken_id_count = 3;
      write_send_lookup(w, v);
      break;
    }
    case WireKind::unsettled_send: {
      auto v = make_abi_struct<og_unsettled_send>();
      v.provider_message_id = s("p");
      write_unsettled_send(w, v);
      break;
    }
    case WireKind::fetch_request: {
      auto v = make_abi_struct<og_fetch_request>();
      v.url = s("u");
      v.headers = hs.data();
      v.header_count = 3;
      write_fetch_request(w, v);
      break;
    }
    case WireKind::fetch_response: {
      auto v = make_abi_struct<og_fetch_response>();
      v.headers = hs.data();
      v.header_count = 3;
      v.error = s("e");
      write_fetch_response(w, v);
      break;
    }
    case WireKind::conversation_state:
      write_conversation_state(w, state);
      break;
    case WireKind::conversation_notice: {
      auto v = make_abi_struct<og_conversation_notice>();
      v.state = &state;
      v.previous_agent_id = s("a");
      write_conversation_notice(w, v);
      break;
    }
  }
  return w.take();
}

}  // namespace

TEST_CASE("wire: a frame cut anywhere makes every read_* throw WireError",
          "[plugin_process][wire]") {
  Strings s;
  for (std::uint8_t k = 0; k < omnigate::plugin_process::test::kWireKinds; ++k) {
    const auto kind = static_cast<WireKind>(k);
    const std::string frame = full_frame(kind, s);
    INFO("kind " << int(k) << ", frame of " << frame.size() << " bytes");
    bool at_end = false;
    REQUIRE(reencode(kind, frame, &at_end) == frame);
    REQUIRE(at_end);
    std::size_t refused = 0;
    for (std::size_t cut = 0; cut < frame.size(); ++cut) {
      try {
        reencode(kind, std::string_view(frame).substr(0, cut));
      } catch (const WireError&) {
        ++refused;
      }
    }
    CHECK(refused == frame.size());
  }
}

TEST_CASE("wire: a forged count or length throws WireError without allocating by it",
          "[plugin_process][wire]") {
  using Catch::Matchers::Contains;
  WireArena arena;

  SECTION("count() allows at most the bytes left over the smallest element") {
    WireWriter w;
    w.u64(3);
    w.str("0123456789abcdef");  // 24 bytes left after the count
    const std::string frame = w.take();
    WireReader fits(frame);
    CHECK(fits.count(8) == 3);
    WireReader too_many(frame);
    CHECK_THROWS_AS(too_many.count(9), WireError);
  }
  SECTION("an array count far larger than the frame") {
    for (const std::uint64_t forged :
         {std::uint64_t{4}, std::uint64_t{1} << 24, std::uint64_t{1} << 40, ~std::uint64_t{0}}) {
      WireWriter w;
      w.u64(1);                                // request_id
      for (int i = 0; i < 4; ++i) w.str("x");  // method, target, path, query
      w.u64(forged);                           // header_count
      w.str("name");                           // one header's worth of bytes, then the frame ends
      w.str("value");
      const std::string frame = w.take();
      AllocationProbe probe;
      WireReader r(frame);
      CHECK_THROWS_AS(read_http_request(r, arena), WireError);
      INFO("forged count " << forged);
      CHECK(probe.largest() <= 4 * sizeof(og_header) + 64);
    }
  }
  SECTION("a forged list of strings") {
    WireWriter w;
    w.i32(1);
    w.i64(2);
    w.u64(std::uint64_t{1} << 50);  // taken_id_count
    w.str("one");
    const std::string frame = w.take();
    AllocationProbe probe;
    WireReader r(frame);
    CHECK_THROWS_WITH(read_send_lookup(r, arena), Contains("element count larger than the frame"));
    CHECK(probe.largest() < 1024);
  }
  SECTION("a string length past the end of the frame") {
    WireWriter w;
    w.u64(~std::uint64_t{0} - 3);
    w.str("short");
    const std::string frame = w.take();
    AllocationProbe probe;
    WireReader r(frame);
    CHECK_THROWS_WITH(read_delivery_report(r), Contains("frame ends inside a value"));
    CHECK(probe.largest() < 1024);
  }
}

TEST_CASE("wire: the largest count a frame allows costs at most a small multiple of the frame",
          "[plugin_process][wire]") {
  // Counts up to 1 per 8 bytes left over a run of zero bytes (elements of empty strings and zero
  // numbers): the decoder allocates the decoded array before it reads the elements, so the
  // count's bound must hold each element to the bytes it really takes on the wire — a decoded
  // element takes under three times its smallest encoding (og_skill_requirement 32 bytes for
  // 12, og_header 40 for 16, og_attachment 128 for 64).
  constexpr std::size_t kZeros = 64 * 1024;
  struct Case {
    const char* name;
    std::function<void(WireWriter&)> fields_before;
    std::function<void(WireReader&, WireArena&)> read;
  };
  const std::vector<Case> cases = {
      {"og_http_request headers",
       [](WireWriter& w) {
         w.u64(1);
         for (int i = 0; i < 4; ++i) w.str("");
       },
       [](WireReader& r, WireArena& a) { read_http_request(r, a); }},
      {"og_inbound_message attachments",
       [](WireWriter& w) {
         for (int i = 0; i < 9; ++i) w.str("");
       },
       [](WireReader& r, WireArena& a) { read_inbound_message(r, a); }},
      {"og_inbound_message skills",
       [](WireWriter& w) {
         for (int i = 0; i < 9; ++i) w.str("");
         w.u64(0);  // no attachments
       },
       [](WireReader& r, WireArena& a) { read_inbound_message(r, a); }},
      {"og_send_lookup taken_ids",
       [](WireWriter& w) {
         w.i32(1);
         w.i64(2);
       },
       [](WireReader& r, WireArena& a) { read_send_lookup(r, a); }},
  };
  for (const auto& c : cases) {
    for (const std::size_t bytes_per_element : {8u, 12u, 16u, 64u}) {
      WireWriter w;
      c.fields_before(w);
      w.u64(kZeros / bytes_per_element);
      w.bytes().append(kZeros, '\0');
      const std::string frame = w.take();
      WireArena arena;
      AllocationProbe probe;
      WireReader r(frame);
      try {
        c.read(r, arena);
      } catch (const WireError&) {
      }
      INFO(c.name << ", a count of " << kZeros / bytes_per_element << ": largest allocation "
                  << probe.largest() << " bytes for a frame of " << frame.size());
      CHECK(probe.largest() <= frame.size() * 3);
    }
  }
}
