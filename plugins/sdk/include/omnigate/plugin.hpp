// omnigate plugin SDK — header-only C++20 wrapper over plugin_abi.h (the "hourglass" top).
//
// A plugin written with this header derives from omnigate::Plugin, and declares itself with
// OMNIGATE_PLUGIN(...). The wrapper:
//  - turns borrowed og_str views into std::string_view / std::string at the boundary;
//  - keeps every std::function the plugin registers alive in the instance (plugin-owned);
//  - catches every exception at the boundary and turns it into a status + message, because an
//    exception unwinding into the host (another compiler, another runtime) is undefined;
//  - copies structs received from the host by their struct_size, so older/newer hosts work.
// Nothing here allocates memory that the host frees, or frees memory the host allocated.
#pragma once

#include <omnigate/plugin_abi.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace omnigate {

inline std::string_view view(og_str s) {
  return s.len ? std::string_view(s.ptr, s.len) : std::string_view();
}
inline og_str str(std::string_view s) {
  return og_str{s.data(), s.size()};
}

// Throw from any plugin code to return a specific status across the boundary.
class Error : public std::runtime_error {
 public:
  Error(og_status status, const std::string& message)
      : std::runtime_error(message), status_(status) {}
  og_status status() const noexcept { return status_; }

 private:
  og_status status_;
};
// Bad configuration: the message names the key, e.g. ConfigError("auth_token", "is required").
struct ConfigError : Error {
  ConfigError(std::string_view key, std::string_view problem)
      : Error(OG_CONFIG, std::string(key) + ": " + std::string(problem)) {}
};
struct RetryError : Error {
  explicit RetryError(const std::string& m) : Error(OG_RETRY, m) {}
};
struct PermanentError : Error {
  explicit PermanentError(const std::string& m) : Error(OG_PERMANENT, m) {}
};
// The plugin chooses not to run (e.g. `enabled = false`): the gateway goes on without it.
struct Decline : Error {
  explicit Decline(const std::string& m) : Error(OG_DECLINE, m) {}
};

namespace detail {
// Copy a struct received across the ABI: at most our sizeof, at most what the sender declared.
template <class T>
T copy_struct(const T* from) {
  T out;
  std::memset(&out, 0, sizeof out);
  if (from) std::memcpy(&out, from, std::min<size_t>(from->struct_size, sizeof out));
  return out;
}
template <class T>
T make_struct() {
  T out;
  std::memset(&out, 0, sizeof out);
  out.struct_size = sizeof out;
  return out;
}
// Writes as much as the caller's og_error holds (its struct_size), as the ABI asks.
inline void set_error(og_error* err, og_status status, std::string_view message) {
  if (!err || err->struct_size < offsetof(og_error, message)) return;
  err->status = status;
  const size_t room = std::min<size_t>(err->struct_size, sizeof *err) - offsetof(og_error, message);
  if (room == 0) return;
  size_t n = std::min(message.size(), room - 1);
  std::memcpy(err->message, message.data(), n);
  err->message[n] = '\0';
}
inline std::vector<og_header> headers_view(
    const std::vector<std::pair<std::string, std::string>>& h) {
  std::vector<og_header> out;
  out.reserve(h.size());
  for (const auto& [n, v] : h) {
    auto c = make_struct<og_header>();
    c.name = str(n);
    c.value = str(v);
    out.push_back(c);
  }
  return out;
}
// Copies of the elements of an array the host sent, stepped by the host's element size.
template <class T>
std::vector<T> array_copy(const T* items, size_t count) {
  std::vector<T> out;
  for (size_t i = 0; i < count && items; ++i) out.push_back(copy_struct(OG_ARRAY_AT(items, T, i)));
  return out;
}
inline bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return (x | 0x20) == (y | 0x20);
         });
}
}  // namespace detail

using Headers = std::vector<std::pair<std::string, std::string>>;

// A webhook request as the plugin sees it. Views are valid during the handler only.
struct HttpRequest {
  uint64_t id = 0;
  std::string_view method, target, path, query, body, remote_addr;
  const og_header* header_array = nullptr;
  size_t header_count = 0;

  // First header with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const {
    for (size_t i = 0; i < header_count; ++i) {
      const og_header* h = OG_ARRAY_AT(header_array, og_header, i);
      if (detail::iequals(view(h->name), name)) return view(h->value);
    }
    return std::nullopt;
  }
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
  Headers headers;
};

struct Attachment {
  std::string filename, content_type, data, url;
  // Instead of data: a blob written with Host::BlobWriter ("sha256:<hex>"); outbound, a stored
  // attachment to read with Host::blob_read (data is then filled only for small ones).
  std::string blob_ref;
  std::string content_id;   // MIME Content-ID without <>, or empty
  std::string disposition;  // "attachment", "inline" or empty (= attachment)
  uint64_t size = 0;        // bytes of data or of the blob (0 = unknown)
};
struct SkillRequirement {
  std::string skill;
  int min_level = 1;
};

struct InboundMessage {
  std::string provider_message_id, from_kind, from_address, from_name, to_address, thread_key;
  std::string subject, body_text, body_html, raw, metadata_json;
  std::vector<Attachment> attachments;
  std::vector<SkillRequirement> skills;
  int priority = 0;
  bool malformed = false;
  int64_t sent_at_ms = 0;
};

struct DeliveryReport {
  std::string provider_message_id;
  og_delivery_state state = OG_DELIVERY_SENT;
  std::string error_code, error_text, raw;
};

struct ChannelEvent {
  std::string provider_event_id, kind, from_kind, from_address, to_address, thread_key, data_json;
  std::vector<Attachment> attachments;
};

// An outbound message, copied out of the borrowed C struct so a plugin may keep it.
struct OutboundMessage {
  std::string idempotency_key, thread_key, to_kind, to_address, from_address, subject;
  std::string body_text, body_html, in_reply_to, author_name, metadata_json;
  std::vector<Attachment> attachments;
  int64_t conversation_id = 0;  // the conversation the reply belongs to (0 from a 1.x host)
};

// One conversation as the host sees it (Host::get_conversation, ConversationNotice::state).
struct ConversationState {
  int64_t conversation_id = 0;
  std::string thread_key, customer_kind, customer_address;
  std::string status;  // "waiting", "assigned", "resolved", "closed"
  int priority = 0;
  int queue_position = 0;         // 1-based while waiting, 0 otherwise
  int64_t expected_wait_ms = -1;  // while waiting; -1 unknown
  std::string agent_id, agent_display_name;
  std::string agent_contact_json = "{}";  // e.g. {"phone":"+441632960001","sip":"sip:..."}
};
// What happened to one of the instance's conversations (Plugin::on_conversation).
struct ConversationNotice {
  og_conversation_change change = 0;  // OG_CONVERSATION_*; ignore kinds you do not know
  ConversationState state;            // after the change
  std::string previous_agent_id;      // TRANSFERRED: who had it ("" = the queue)
  // Details of the change as a JSON object, or "" (2.2; always "" from an older host).
  // TRANSFERRED: {"mode":"cold"|"warm","by":"user:<name>"}.
  std::string detail_json;
};

// A customer found by one of their identities (Host::customer_lookup, 2.2).
struct CustomerInfo {
  int64_t customer_id = 0;
  std::string display_name;    // may be empty
  std::string tier;            // "S", "A", "B" or "C"
  int open_conversations = 0;  // not resolved or closed
};

// An agent's command for one of the instance's conversations (Plugin::on_command, 2.2).
struct ChannelCommand {
  int64_t conversation_id = 0;
  std::string thread_key;  // as the plugin gave it
  std::string command;     // [a-z_.]{1,32}, e.g. "recording.pause"
  std::string data_json;   // a JSON object or ""
  std::string agent_id;    // who asked
};

// Who could take a new conversation of this instance now (Host::channel_availability, 2.1).
struct ChannelAvailability {
  int agents_online = 0;  // online agents with the skills and capacity for this channel kind
  int agents_free = 0;    // of those, with spare capacity right now
  int queued = 0;         // conversations of this instance waiting in the queue
  int64_t expected_wait_ms = -1;  // for a new conversation; -1 unknown
};

struct SendResult {
  og_status status = OG_OK;
  std::string provider_message_id, error_code, error_text;
  int retry_after_ms = 0;
};

// What the host knows about the earlier attempt of a send it asks about (lookup_send).
struct SendLookup {
  int attempts = 0;            // attempts made so far, the lost one included
  int64_t enqueued_at_ms = 0;  // the provider cannot have the message from before this
  // Provider ids of the conversation's other replies: never answer one of these.
  std::vector<std::string> taken_ids;
};

// A sent message whose delivery state is not final yet (Host::list_unsettled_sends).
struct UnsettledSend {
  int64_t outbox_id = 0;  // cursor for the next batch
  std::string provider_message_id;
  og_delivery_state state = OG_DELIVERY_SENT;
  int64_t sent_at_ms = 0;
};

struct FetchRequest {
  std::string method = "GET", url;
  Headers headers;
  std::string body, basic_auth_user, basic_auth_password;
  int timeout_ms = 0;
  bool allow_private = false;
};
struct FetchResponse {
  int http_status = 0;
  Headers headers;
  std::string body, error;
};

using CommitCallback = std::function<void(og_status, int64_t id)>;

struct WsHandlers {
  std::function<bool(uint64_t conn_id, const HttpRequest& upgrade)> on_open;
  std::function<void(uint64_t conn_id, std::string_view data, bool is_text)> on_message;
  std::function<void(uint64_t conn_id)> on_close;
};

namespace detail {
inline std::vector<og_attachment> attachments_view(const std::vector<Attachment>& in) {
  std::vector<og_attachment> out;
  for (const auto& a : in) {
    auto c = make_struct<og_attachment>();
    c.filename = str(a.filename);
    c.content_type = str(a.content_type);
    c.data = str(a.data);
    c.url = str(a.url);
    c.blob_ref = str(a.blob_ref);
    c.content_id = str(a.content_id);
    c.disposition = str(a.disposition);
    c.size = a.size != 0 ? a.size : a.data.size();
    out.push_back(c);
  }
  return out;
}
inline std::vector<Attachment> attachments_copy(const og_attachment* a, size_t n) {
  std::vector<Attachment> out;
  for (const auto& c : array_copy(a, n)) {
    out.push_back({std::string(view(c.filename)), std::string(view(c.content_type)),
                   std::string(view(c.data)), std::string(view(c.url)),
                   std::string(view(c.blob_ref)), std::string(view(c.content_id)),
                   std::string(view(c.disposition)), c.size});
  }
  return out;
}
inline ConversationState conversation_copy(const og_conversation_state* raw) {
  const auto c = copy_struct(raw);
  ConversationState s;
  s.conversation_id = c.conversation_id;
  s.thread_key = view(c.thread_key);
  s.customer_kind = view(c.customer_kind);
  s.customer_address = view(c.customer_address);
  s.status = view(c.status);
  s.priority = c.priority;
  s.queue_position = c.queue_position;
  s.expected_wait_ms = c.expected_wait_ms;
  s.agent_id = view(c.agent_id);
  s.agent_display_name = view(c.agent_display_name);
  if (c.agent_contact_json.len != 0) s.agent_contact_json = view(c.agent_contact_json);
  return s;
}
inline HttpRequest request_view(const og_http_request* raw) {
  auto r = copy_struct(raw);
  HttpRequest q;
  q.id = r.request_id;
  q.method = view(r.method);
  q.target = view(r.target);
  q.path = view(r.path);
  q.query = view(r.query);
  q.body = view(r.body);
  q.remote_addr = view(r.remote_addr);
  q.header_array = r.headers;
  q.header_count = r.header_count;
  return q;
}
inline void check(og_status st, const og_error& err) {
  if (st != OG_OK) throw Error(st, err.message[0] ? err.message : "host call failed");
}
}  // namespace detail

// og_route_options: 0 = the host's default (1 MiB bodies, 10 s for a deferred reply).
struct RouteOptions {
  uint64_t max_body_bytes = 0;      // the largest body the route takes (the operator's
                                    // per-route limit is clipped to it)
  uint32_t respond_timeout_ms = 0;  // a deferred reply not given by then is answered 503
};

// The host's services for one plugin instance. Owned by the Plugin; not copyable, because the
// route and WebSocket handlers registered through it live inside it (their addresses are the
// `user` pointers the host holds).
class Host {
 public:
  Host(const og_host_api* api, og_host_ctx* ctx, std::string instance_name)
      : api_(detail::copy_struct(api)), ctx_(ctx), instance_(std::move(instance_name)) {}
  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  const std::string& instance_name() const { return instance_; }

  void log(og_log_level level, std::string_view message) const {
    if (api_.log) api_.log(ctx_, level, str(message));
  }
  void info(std::string_view m) const { log(OG_LOG_INFO, m); }
  void warn(std::string_view m) const { log(OG_LOG_WARN, m); }
  void error(std::string_view m) const { log(OG_LOG_ERROR, m); }

  using RouteHandler = std::function<HttpResponse(const HttpRequest&)>;
  // A handler whose reply comes later, through respond(request.id, …) from any thread.
  using DeferredHandler = std::function<void(const HttpRequest&)>;

  // Mount handler at /channels/<instance><path>. Only from the constructor or start().
  // The returned response is held by the host until every submit_*() made for the request
  // has been committed.
  void route(std::string_view method, std::string_view path, RouteHandler handler,
             RouteOptions options = {}) {
    register_route(method, path, options, RouteEntry{this, std::move(handler), {}});
  }
  // The same for a reply that depends on something the handler cannot wait for (a routing
  // result, a provider call): the handler returns, and the plugin calls respond() later. The
  // reply still waits for the request's commits; without one in time the host answers 503.
  void deferred_route(std::string_view method, std::string_view path, DeferredHandler handler,
                      RouteOptions options = {}) {
    register_route(method, path, options, RouteEntry{this, {}, std::move(handler)});
  }
  // The reply to a request of a deferred route (any thread), or inside any handler. False,
  // with the host's reason logged, when the host refuses it (too late, an invalid reply).
  bool respond(uint64_t request_id, const HttpResponse& response) const {
    auto hdrs = detail::headers_view(response.headers);
    auto c = detail::make_struct<og_http_response>();
    c.status = response.status;
    c.content_type = str(response.content_type);
    c.body = str(response.body);
    c.headers = hdrs.data();
    c.header_count = hdrs.size();
    og_error err = OG_ERROR_INIT;
    if (api_.respond(ctx_, request_id, &c, &err) == OG_OK) return true;
    log(OG_LOG_ERROR, std::string("reply refused by the host: ") + err.message);
    return false;
  }

  // Runs fn on the instance's strand, as a callback (any thread): how a plugin thread hands
  // work back. False when the host has no post() or refused it (the instance is stopping);
  // fn is then never run. A task still queued when the instance stops is dropped unrun.
  bool post(std::function<void()> fn) {
    if (api_.post == nullptr) return false;
    auto* task = new PostEntry{this, std::move(fn)};  // freed by the trampoline
    og_error err = OG_ERROR_INIT;
    if (api_.post(ctx_, &Host::post_trampoline, task, &err) == OG_OK) return true;
    delete task;
    return false;
  }

  struct Info {
    std::string instance_name, mount_path, public_base_url, gateway_version;
  };
  // The instance's facts; nullopt from a host without host_info.
  std::optional<Info> host_info() const {
    if (api_.host_info == nullptr) return std::nullopt;
    const auto i = detail::copy_struct(api_.host_info(ctx_));
    return Info{std::string(view(i.instance_name)), std::string(view(i.mount_path)),
                std::string(view(i.public_base_url)), std::string(view(i.gateway_version))};
  }

  void ws_route(std::string_view path, WsHandlers handlers) {
    auto& entry =
        ws_routes_.emplace_back(std::make_unique<WsEntry>(WsEntry{this, std::move(handlers)}));
    auto h = detail::make_struct<og_ws_handlers>();
    h.user = entry.get();
    h.on_open = &Host::ws_open_trampoline;
    h.on_message = &Host::ws_message_trampoline;
    h.on_close = &Host::ws_close_trampoline;
    og_error err = OG_ERROR_INIT;
    detail::check(api_.register_ws_route(ctx_, str(path), &h, &err), err);
  }

  void submit_inbound(uint64_t request_id, const InboundMessage& m, CommitCallback done = {}) {
    auto atts = detail::attachments_view(m.attachments);
    std::vector<og_skill_requirement> skills;
    for (const auto& s : m.skills) {
      auto c = detail::make_struct<og_skill_requirement>();
      c.skill = str(s.skill);
      c.min_level = s.min_level;
      skills.push_back(c);
    }
    auto c = detail::make_struct<og_inbound_message>();
    c.provider_message_id = str(m.provider_message_id);
    c.from_kind = str(m.from_kind);
    c.from_address = str(m.from_address);
    c.from_name = str(m.from_name);
    c.to_address = str(m.to_address);
    c.thread_key = str(m.thread_key);
    c.subject = str(m.subject);
    c.body_text = str(m.body_text);
    c.body_html = str(m.body_html);
    c.attachments = atts.data();
    c.attachment_count = atts.size();
    c.skills = skills.data();
    c.skill_count = skills.size();
    c.priority = m.priority;
    c.flags = m.malformed ? OG_INBOUND_MALFORMED : 0;
    c.sent_at_ms = m.sent_at_ms;
    c.raw = str(m.raw);
    c.metadata_json = str(m.metadata_json);
    submit([&](og_commit_fn fn, void* user,
               og_error* err) { return api_.submit_inbound(ctx_, request_id, &c, fn, user, err); },
           std::move(done));
  }

  void submit_delivery(uint64_t request_id, const DeliveryReport& r, CommitCallback done = {}) {
    auto c = detail::make_struct<og_delivery_report>();
    c.provider_message_id = str(r.provider_message_id);
    c.state = r.state;
    c.error_code = str(r.error_code);
    c.error_text = str(r.error_text);
    c.raw = str(r.raw);
    submit([&](og_commit_fn fn, void* user,
               og_error* err) { return api_.submit_delivery(ctx_, request_id, &c, fn, user, err); },
           std::move(done));
  }

  void submit_event(uint64_t request_id, const ChannelEvent& e, CommitCallback done = {}) {
    auto atts = detail::attachments_view(e.attachments);
    auto c = detail::make_struct<og_channel_event>();
    c.provider_event_id = str(e.provider_event_id);
    c.kind = str(e.kind);
    c.from_kind = str(e.from_kind);
    c.from_address = str(e.from_address);
    c.to_address = str(e.to_address);
    c.thread_key = str(e.thread_key);
    c.data_json = str(e.data_json);
    c.attachments = atts.data();
    c.attachment_count = atts.size();
    submit([&](og_commit_fn fn, void* user,
               og_error* err) { return api_.submit_event(ctx_, request_id, &c, fn, user, err); },
           std::move(done));
  }

  void send_result(uint64_t ticket, const SendResult& r) const {
    auto c = detail::make_struct<og_send_result>();
    c.status = r.status;
    c.provider_message_id = str(r.provider_message_id);
    c.error_code = str(r.error_code);
    c.error_text = str(r.error_text);
    c.retry_after_ms = r.retry_after_ms;
    api_.send_result(ctx_, ticket, &c);
  }

  bool can_list_unsettled_sends() const { return api_.list_unsettled_sends != nullptr; }
  // This instance's sent messages short of a final delivery state, recorded as sent in
  // [sent_after_ms, sent_before_ms), outbox id > after_id, at most `limit` (1..1000), in id
  // order. nullopt from a host without list_unsettled_sends.
  std::optional<std::vector<UnsettledSend>> list_unsettled_sends(int64_t sent_after_ms,
                                                                 int64_t sent_before_ms,
                                                                 int64_t after_id,
                                                                 int32_t limit) const {
    if (api_.list_unsettled_sends == nullptr) return std::nullopt;
    std::vector<UnsettledSend> out;
    int32_t count = 0;
    og_error err = OG_ERROR_INIT;
    detail::check(
        api_.list_unsettled_sends(
            ctx_, sent_after_ms, sent_before_ms, after_id, limit,
            [](void* user, const og_unsettled_send* raw) {
              auto c = detail::copy_struct(raw);
              static_cast<std::vector<UnsettledSend>*>(user)->push_back(
                  {c.outbox_id, std::string(view(c.provider_message_id)), c.state, c.sent_at_ms});
            },
            &out, &count, &err),
        err);
    return out;
  }

  // Returns false when the connection is gone.
  bool ws_send(uint64_t conn_id, std::string_view data, bool is_text = true) const {
    og_error err = OG_ERROR_INIT;
    return api_.ws_send(ctx_, conn_id, str(data), is_text ? 1 : 0, &err) == OG_OK;
  }
  void ws_close(uint64_t conn_id, int code = 1000, std::string_view reason = {}) const {
    api_.ws_close(ctx_, conn_id, code, str(reason));
  }

  uint64_t set_timer(uint32_t delay_ms) const {
    uint64_t id = 0;
    og_error err = OG_ERROR_INIT;
    detail::check(api_.set_timer(ctx_, delay_ms, &id, &err), err);
    return id;
  }
  void cancel_timer(uint64_t id) const { api_.cancel_timer(ctx_, id); }

  using FetchCallback = std::function<void(const FetchResponse&)>;

  // Outbound HTTP through the host. `done` runs on the instance strand exactly once.
  uint64_t fetch(const FetchRequest& r, FetchCallback done) {
    auto hdrs = detail::headers_view(r.headers);
    auto c = detail::make_struct<og_fetch_request>();
    c.method = str(r.method);
    c.url = str(r.url);
    c.headers = hdrs.data();
    c.header_count = hdrs.size();
    c.body = str(r.body);
    c.basic_auth_user = str(r.basic_auth_user);
    c.basic_auth_password = str(r.basic_auth_password);
    c.timeout_ms = r.timeout_ms;
    c.flags = r.allow_private ? OG_FETCH_ALLOW_PRIVATE : 0;
    auto* pending = new FetchEntry{this, std::move(done)};  // freed by the trampoline
    uint64_t id = 0;
    og_error err = OG_ERROR_INIT;
    og_status st = api_.http_fetch(ctx_, &c, &Host::fetch_trampoline, pending, &id, &err);
    if (st != OG_OK) {
      delete pending;
      detail::check(st, err);
    }
    return id;
  }

  std::optional<std::string> kv_get(std::string_view key) const {
    std::string value;
    int32_t found = 0;
    og_error err = OG_ERROR_INIT;
    detail::check(
        api_.kv_get(
            ctx_, str(key),
            [](void* user, og_str v) { static_cast<std::string*>(user)->assign(view(v)); }, &value,
            &found, &err),
        err);
    if (!found) return std::nullopt;
    return value;
  }
  // kv_put/kv_delete never wait for the disk: the write is queued (in call order) and kv_get
  // sees it at once. `done` (optional) runs on the instance strand once the write is durable
  // (OG_OK) or failed — before the instance is destroyed at the latest.
  using KvCallback = std::function<void(og_status)>;
  void kv_put(std::string_view key, std::string_view value, KvCallback done = {}) {
    kv_write([&](og_kv_done_fn fn, void* user,
                 og_error* err) { return api_.kv_put(ctx_, str(key), str(value), fn, user, err); },
             std::move(done));
  }
  void kv_delete(std::string_view key, KvCallback done = {}) {
    kv_write([&](og_kv_done_fn fn, void* user,
                 og_error* err) { return api_.kv_delete(ctx_, str(key), fn, user, err); },
             std::move(done));
  }

  // A plugin metric, exported under /metrics as omnigate_plugin_<name> with the labels
  // instance and plugin. Register from the constructor or start(); record from any thread.
  // From a host without plugin metrics the handle records nothing.
  class Metric {
   public:
    Metric() = default;
    void record(double value) const {
      if (record_ != nullptr && id_ != 0) record_(ctx_, id_, value);
    }
    void add(double value = 1) const { record(value); }  // counter
    void set(double value) const { record(value); }      // gauge
    void observe(double value) const { record(value); }  // histogram (seconds for durations)

   private:
    friend class Host;
    Metric(void (*record)(og_host_ctx*, uint64_t, double), og_host_ctx* ctx, uint64_t id)
        : record_(record), ctx_(ctx), id_(id) {}
    void (*record_)(og_host_ctx*, uint64_t, double) = nullptr;
    og_host_ctx* ctx_ = nullptr;
    uint64_t id_ = 0;
  };
  // name: [a-z_][a-z0-9_]*, at most 64 bytes. The same name and kind give the same metric.
  Metric counter(std::string_view name, std::string_view help) const {
    return metric(OG_METRIC_COUNTER, name, help);
  }
  Metric gauge(std::string_view name, std::string_view help) const {
    return metric(OG_METRIC_GAUGE, name, help);
  }
  Metric histogram(std::string_view name, std::string_view help) const {
    return metric(OG_METRIC_HISTOGRAM, name, help);
  }

  // One of this instance's conversations as the host sees it now; nullopt when the instance
  // has no such conversation. Throws Error when the host has no get_conversation.
  std::optional<ConversationState> get_conversation(int64_t conversation_id) const {
    require(api_.get_conversation != nullptr, "get_conversation");
    std::optional<ConversationState> out;
    og_error err = OG_ERROR_INIT;
    const og_status st = api_.get_conversation(
        ctx_, conversation_id,
        [](void* user, const og_conversation_state* s) {
          *static_cast<std::optional<ConversationState>*>(user) = detail::conversation_copy(s);
        },
        &out, &err);
    if (st == OG_NOT_FOUND) return std::nullopt;
    detail::check(st, err);
    return out;
  }

  // ABI 2.1. Something the customer is doing now that is not stored ("typing", "stopped_typing";
  // kind [a-z_.]{1,32}, data_json a JSON object or empty), published on the agents' live event
  // stream. Any thread. False when the host refused it (not a conversation of this instance,
  // a bad kind or JSON) or is a 2.0 host without signals.
  bool signal(int64_t conversation_id, std::string_view kind,
              std::string_view data_json = {}) const {
    if (api_.signal == nullptr) return false;
    auto c = detail::make_struct<og_conversation_signal>();
    c.conversation_id = conversation_id;
    c.kind = str(kind);
    c.data_json = str(data_json);
    og_error err = OG_ERROR_INIT;
    return api_.signal(ctx_, &c, &err) == OG_OK;
  }

  // ABI 2.1. Who could take a new conversation of this instance needing `skills` now (a
  // snapshot; may lag the routing engine by one pass). Any thread. nullopt from a 2.0 host or
  // when the host cannot tell now (routing not running); throws Error for refused skills.
  std::optional<ChannelAvailability> channel_availability(
      const std::vector<SkillRequirement>& skills = {}) const {
    if (api_.channel_availability == nullptr) return std::nullopt;
    std::vector<og_skill_requirement> needs;
    for (const auto& s : skills) {
      auto c = detail::make_struct<og_skill_requirement>();
      c.skill = str(s.skill);
      c.min_level = s.min_level;
      needs.push_back(c);
    }
    auto out = detail::make_struct<og_channel_availability>();
    og_error err = OG_ERROR_INIT;
    const og_status st = api_.channel_availability(ctx_, needs.data(), needs.size(), &out, &err);
    if (st == OG_RETRY) return std::nullopt;
    detail::check(st, err);
    return ChannelAvailability{out.agents_online, out.agents_free, out.queued,
                               out.expected_wait_ms};
  }

  // ABI 2.2. What happened on a live contact (kind OG_ACTION_*: answered, requeue, abandoned,
  // ended, transfer) for conversation_id, or — with conversation_id 0 — for the latest
  // conversation of thread_key that is not resolved or closed. Any thread. Returns the host's
  // check at once: OG_OK (applied later; `done` runs on the strand with the outcome and the
  // conversation id — OG_CONFIG when routing refused it), OG_NOT_FOUND, OG_PERMANENT (a bad
  // kind, agent or data_json; logged), OG_RETRY (routing not running), or OG_DECLINE from a host
  // older than 2.2.
  og_status conversation_action(og_conversation_action_kind kind, int64_t conversation_id,
                                std::string_view thread_key, std::string_view agent_id = {},
                                std::string_view reason = {}, std::string_view data_json = {},
                                CommitCallback done = {}) {
    if (api_.conversation_action == nullptr) return OG_DECLINE;
    auto a = detail::make_struct<og_conversation_action>();
    a.kind = kind;
    a.conversation_id = conversation_id;
    a.thread_key = str(thread_key);
    a.agent_id = str(agent_id);
    a.reason = str(reason);
    a.data_json = str(data_json);
    og_error err = OG_ERROR_INIT;
    CommitEntry* pending = done ? new CommitEntry{this, std::move(done)} : nullptr;
    const og_status st = api_.conversation_action(
        ctx_, &a, pending ? &Host::commit_trampoline : nullptr, pending, &err);
    if (st != OG_OK) {
      delete pending;
      if (st == OG_PERMANENT)
        log(OG_LOG_WARN, std::string("conversation_action refused: ") + err.message);
    }
    return st;
  }

  // ABI 2.2. The customer one of whose identities is (kind, address) — a phone in E.164 — or
  // nullopt when there is none or the host is older than 2.2. Any thread; a store read.
  // Throws Error when the host refuses the question (an empty kind or address).
  std::optional<CustomerInfo> customer_lookup(std::string_view kind,
                                              std::string_view address) const {
    if (api_.customer_lookup == nullptr) return std::nullopt;
    std::optional<CustomerInfo> out;
    og_error err = OG_ERROR_INIT;
    const og_status st = api_.customer_lookup(
        ctx_, str(kind), str(address),
        [](void* user, const og_customer_info* raw) {
          const auto c = detail::copy_struct(raw);
          *static_cast<std::optional<CustomerInfo>*>(user) =
              CustomerInfo{c.customer_id, std::string(view(c.display_name)),
                           std::string(view(c.tier)), c.open_conversations};
        },
        &out, &err);
    if (st == OG_NOT_FOUND) return std::nullopt;
    detail::check(st, err);
    return out;
  }

  // Writes one blob (a large attachment, a recording) into the host's content-addressed store
  // chunk by chunk; finish() returns the reference for Attachment::blob_ref. Dropped unless
  // finished. Use it from one thread at a time.
  class BlobWriter {
   public:
    explicit BlobWriter(const Host& host) : host_(&host) {
      host.require(host.api_.blob_begin != nullptr, "blob_begin");
      og_error err = OG_ERROR_INIT;
      detail::check(host.api_.blob_begin(host.ctx_, &id_, &err), err);
      open_ = true;
    }
    ~BlobWriter() {
      if (open_) host_->api_.blob_abort(host_->ctx_, id_);
    }
    BlobWriter(const BlobWriter&) = delete;
    BlobWriter& operator=(const BlobWriter&) = delete;

    // Throws Error (OG_PERMANENT past the instance's blob size limit; the blob is dropped).
    void write(std::string_view chunk) {
      og_error err = OG_ERROR_INIT;
      const og_status st = host_->api_.blob_write(host_->ctx_, id_, str(chunk), &err);
      if (st != OG_OK) open_ = false;  // the host dropped it
      detail::check(st, err);
    }
    // Durable from here on; returns "sha256:<hex>". `size` (optional) gets the byte count.
    std::string finish(uint64_t* size = nullptr) {
      char ref[OG_BLOB_REF_MAX] = {0};
      uint64_t bytes = 0;
      og_error err = OG_ERROR_INIT;
      open_ = false;
      detail::check(host_->api_.blob_finish(host_->ctx_, id_, ref, sizeof ref, &bytes, &err), err);
      if (size != nullptr) *size = bytes;
      return ref;
    }

   private:
    const Host* host_;
    uint64_t id_ = 0;
    bool open_ = false;
  };

  // Up to `capacity` bytes of a stored blob from `offset` (an empty string at the end); `total`
  // (optional) gets its size. nullopt for a malformed or unknown reference.
  std::optional<std::string> blob_read(std::string_view ref, uint64_t offset, size_t capacity,
                                       uint64_t* total = nullptr) const {
    require(api_.blob_read != nullptr, "blob_read");
    std::string out(capacity, '\0');
    size_t got = 0;
    og_error err = OG_ERROR_INIT;
    const og_status st =
        api_.blob_read(ctx_, str(ref), offset, out.data(), capacity, &got, total, &err);
    if (st == OG_NOT_FOUND) return std::nullopt;
    detail::check(st, err);
    out.resize(got);
    return out;
  }

 private:
  struct RouteEntry {
    Host* host;
    RouteHandler handler;      // set for an ordinary route
    DeferredHandler deferred;  // set for a deferred one
  };
  struct PostEntry {
    Host* host;
    std::function<void()> fn;
  };

  void register_route(std::string_view method, std::string_view path, RouteOptions options,
                      RouteEntry route) {
    auto& entry = routes_.emplace_back(std::make_unique<RouteEntry>(std::move(route)));
    auto o = detail::make_struct<og_route_options>();
    o.max_body_bytes = options.max_body_bytes;
    o.respond_timeout_ms = options.respond_timeout_ms;
    og_error err = OG_ERROR_INIT;
    detail::check(api_.register_http_route(ctx_, str(method), str(path), &o,
                                           &Host::route_trampoline, entry.get(), &err),
                  err);
  }
  struct WsEntry {
    Host* host;
    WsHandlers handlers;
  };
  struct FetchEntry {
    Host* host;
    FetchCallback done;
  };
  // A host function of a later 2.x table (or one a host leaves NULL) is probed before use.
  void require(bool present, const char* function) const {
    if (!present) throw Error(OG_PERMANENT, std::string("the host has no ") + function);
  }
  struct CommitEntry {
    Host* host;
    CommitCallback done;
  };
  struct KvEntry {
    Host* host;
    KvCallback done;
  };

  Metric metric(og_metric_kind kind, std::string_view name, std::string_view help) const {
    if (api_.metric_register == nullptr || api_.metric_record == nullptr) return Metric();
    uint64_t id = 0;
    og_error err = OG_ERROR_INIT;
    detail::check(api_.metric_register(ctx_, kind, str(name), str(help), &id, &err), err);
    return Metric(api_.metric_record, ctx_, id);
  }

  template <class Call>
  void kv_write(Call&& call, KvCallback done) {
    og_error err = OG_ERROR_INIT;
    KvEntry* pending = done ? new KvEntry{this, std::move(done)} : nullptr;
    og_status st = call(pending ? &Host::kv_trampoline : nullptr, pending, &err);
    if (st != OG_OK) {
      delete pending;
      detail::check(st, err);
    }
  }

  template <class Call>
  void submit(Call&& call, CommitCallback done) {
    og_error err = OG_ERROR_INIT;
    CommitEntry* pending = done ? new CommitEntry{this, std::move(done)} : nullptr;
    og_status st = call(pending ? &Host::commit_trampoline : nullptr, pending, &err);
    if (st != OG_OK) {
      delete pending;
      detail::check(st, err);
    }
  }

  void report(const char* where, const std::exception* e) const {
    std::string m = std::string("exception in ") + where + ": " + (e ? e->what() : "unknown");
    log(OG_LOG_ERROR, m);
  }

  static og_status route_trampoline(void* user, const og_http_request* raw) {
    auto* entry = static_cast<RouteEntry*>(user);
    Host* host = entry->host;
    auto req = detail::request_view(raw);
    HttpResponse resp;
    og_status status = OG_OK;
    try {
      if (entry->deferred) {
        entry->deferred(req);
        return OG_PENDING;
      }
      resp = entry->handler(req);
    } catch (const Error& e) {
      status = e.status();
      resp = HttpResponse{e.status() == OG_PERMANENT ? 400
                          : e.status() == OG_RETRY   ? 503
                                                     : 500,
                          "text/plain",
                          std::string(e.what()) + "\n",
                          {}};
      host->report("route handler", &e);
    } catch (const std::exception& e) {
      status = OG_INTERNAL;
      resp = HttpResponse{500, "text/plain", "internal error\n", {}};
      host->report("route handler", &e);
    } catch (...) {
      status = OG_INTERNAL;
      resp = HttpResponse{500, "text/plain", "internal error\n", {}};
      host->report("route handler", nullptr);
    }
    host->respond(req.id, resp);
    return status;
  }

  static void post_trampoline(void* user, int32_t cancelled) {
    std::unique_ptr<PostEntry> entry(static_cast<PostEntry*>(user));
    if (cancelled != 0) return;
    try {
      entry->fn();
    } catch (const std::exception& e) {
      entry->host->report("posted task", &e);
    } catch (...) {
      entry->host->report("posted task", nullptr);
    }
  }

  static og_status ws_open_trampoline(void* user, uint64_t conn, const og_http_request* raw) {
    auto* entry = static_cast<WsEntry*>(user);
    try {
      if (!entry->handlers.on_open) return OG_OK;
      return entry->handlers.on_open(conn, detail::request_view(raw)) ? OG_OK : OG_PERMANENT;
    } catch (const std::exception& e) {
      entry->host->report("ws on_open", &e);
    } catch (...) {
      entry->host->report("ws on_open", nullptr);
    }
    return OG_INTERNAL;
  }
  static void ws_message_trampoline(void* user, uint64_t conn, og_str data, int32_t is_text) {
    auto* entry = static_cast<WsEntry*>(user);
    try {
      if (entry->handlers.on_message) entry->handlers.on_message(conn, view(data), is_text != 0);
    } catch (const std::exception& e) {
      entry->host->report("ws on_message", &e);
    } catch (...) {
      entry->host->report("ws on_message", nullptr);
    }
  }
  static void ws_close_trampoline(void* user, uint64_t conn) {
    auto* entry = static_cast<WsEntry*>(user);
    try {
      if (entry->handlers.on_close) entry->handlers.on_close(conn);
    } catch (const std::exception& e) {
      entry->host->report("ws on_close", &e);
    } catch (...) {
      entry->host->report("ws on_close", nullptr);
    }
  }

  static void fetch_trampoline(void* user, uint64_t, const og_fetch_response* raw) {
    std::unique_ptr<FetchEntry> entry(static_cast<FetchEntry*>(user));
    auto r = detail::copy_struct(raw);
    FetchResponse resp;
    resp.http_status = r.http_status;
    for (const auto& h : detail::array_copy(r.headers, r.header_count))
      resp.headers.emplace_back(std::string(view(h.name)), std::string(view(h.value)));
    resp.body.assign(view(r.body));
    resp.error.assign(view(r.error));
    try {
      entry->done(resp);
    } catch (const std::exception& e) {
      entry->host->report("fetch callback", &e);
    } catch (...) {
      entry->host->report("fetch callback", nullptr);
    }
  }

  static void commit_trampoline(void* user, og_status st, int64_t id) {
    std::unique_ptr<CommitEntry> entry(static_cast<CommitEntry*>(user));
    try {
      entry->done(st, id);
    } catch (const std::exception& e) {
      entry->host->report("commit callback", &e);
    } catch (...) {
      entry->host->report("commit callback", nullptr);
    }
  }

  static void kv_trampoline(void* user, og_status st) {
    std::unique_ptr<KvEntry> entry(static_cast<KvEntry*>(user));
    try {
      entry->done(st);
    } catch (const std::exception& e) {
      entry->host->report("kv callback", &e);
    } catch (...) {
      entry->host->report("kv callback", nullptr);
    }
  }

  og_host_api api_;
  og_host_ctx* ctx_;
  std::string instance_;
  // deque of unique_ptr: entries never move, so their addresses stay valid as `user` pointers.
  std::deque<std::unique_ptr<RouteEntry>> routes_;
  std::deque<std::unique_ptr<WsEntry>> ws_routes_;
};

// What a plugin's constructor receives.
struct PluginContext {
  const og_host_api* api;
  og_host_ctx* ctx;
  std::string instance_name;
  std::string config_json;  // the instance config as a JSON object
};

// Base class of a C++ plugin instance.
class Plugin {
 public:
  explicit Plugin(const PluginContext& c) : host_(c.api, c.ctx, c.instance_name) {}
  virtual ~Plugin() = default;
  Plugin(const Plugin&) = delete;
  Plugin& operator=(const Plugin&) = delete;

  virtual void start() {}
  virtual void stop() {}
  // Accept a reply for delivery; report the outcome later with host().send_result(ticket, ...).
  // Throw RetryError / PermanentError to fail at once.
  virtual void send(uint64_t ticket, const OutboundMessage& message) = 0;
  virtual void on_timer(uint64_t /*timer_id*/) {}
  // Before re-sending a message whose earlier attempt may have reached the provider, the
  // host asks whether it did. Return true and answer later with host().send_result(ticket, …):
  // OG_OK + provider_message_id (it did: nothing is sent again), OG_NOT_FOUND (it did not: the
  // host sends now) or OG_RETRY (cannot tell now: the host asks again later). Return false when
  // this plugin cannot look sends up: the host re-sends with the same idempotency key.
  virtual bool lookup_send(uint64_t /*ticket*/, const OutboundMessage& /*message*/,
                           const SendLookup& /*lookup*/) {
    return false;
  }
  // One of this instance's conversations was assigned, transferred, resolved, closed, its agent
  // is typing, or its queue position changed. Best effort, in order per conversation.
  virtual void on_conversation(const ConversationNotice& /*notice*/) {}
  // ABI 2.2. An agent's command about one of this instance's conversations (e.g.
  // "recording.pause"), from POST /api/v1/conversations/{id}/command. Return OG_OK (done or
  // started), OG_NOT_FOUND (no such live contact now) or OG_PERMANENT (unknown command, bad
  // data); throw Error(status, message) to give the agent a reason. The agent is answered 202,
  // 409 or 400. Only a plugin that overrides it is offered commands.
  virtual og_status on_command(const ChannelCommand& command) {
    throw PermanentError("unknown command " + command.command);
  }

  Host& host() { return host_; }
  const Host& host() const { return host_; }

 private:
  Host host_;
};

namespace detail {

// The C entry points for plugin class P. Every one catches everything.
template <class P>
struct Adapter {
  static og_status fail(og_error* err, const std::exception_ptr& ep) {
    try {
      std::rethrow_exception(ep);
    } catch (const Error& e) {
      set_error(err, e.status(), e.what());
      return e.status();
    } catch (const std::exception& e) {
      set_error(err, OG_INTERNAL, std::string("unexpected exception: ") + e.what());
    } catch (...) {
      set_error(err, OG_INTERNAL, "unexpected non-standard exception");
    }
    return OG_INTERNAL;
  }
  static void log_failure(P* p, const char* where) {
    try {
      throw;
    } catch (const std::exception& e) {
      p->host().log(OG_LOG_ERROR, std::string(where) + ": " + e.what());
    } catch (...) {
      p->host().log(OG_LOG_ERROR, std::string(where) + ": non-standard exception");
    }
  }

  static og_status create(const og_host_api* host, og_host_ctx* ctx, og_str name, og_str config,
                          void** instance, og_error* err) {
    try {
      PluginContext pc{host, ctx, std::string(view(name)), std::string(view(config))};
      *instance = static_cast<Plugin*>(new P(pc));
      return OG_OK;
    } catch (...) {
      return fail(err, std::current_exception());
    }
  }
  static og_status start(void* instance, og_error* err) {
    try {
      static_cast<P*>(static_cast<Plugin*>(instance))->start();
      return OG_OK;
    } catch (...) {
      return fail(err, std::current_exception());
    }
  }
  static void stop(void* instance) {
    auto* p = static_cast<P*>(static_cast<Plugin*>(instance));
    try {
      p->stop();
    } catch (...) {
      log_failure(p, "stop");
    }
  }
  static void destroy(void* instance) { delete static_cast<Plugin*>(instance); }

  static OutboundMessage outbound_copy(const og_outbound_message* raw) {
    auto m = copy_struct(raw);
    OutboundMessage out;
    out.idempotency_key = view(m.idempotency_key);
    out.thread_key = view(m.thread_key);
    out.to_kind = view(m.to_kind);
    out.to_address = view(m.to_address);
    out.from_address = view(m.from_address);
    out.subject = view(m.subject);
    out.body_text = view(m.body_text);
    out.body_html = view(m.body_html);
    out.in_reply_to = view(m.in_reply_to);
    out.author_name = view(m.author_name);
    out.metadata_json = view(m.metadata_json);
    out.attachments = attachments_copy(m.attachments, m.attachment_count);
    out.conversation_id = m.conversation_id;
    return out;
  }
  static og_status lookup_send(void* instance, uint64_t ticket, const og_outbound_message* raw,
                               const og_send_lookup* raw_lookup, og_error* err) {
    try {
      auto l = copy_struct(raw_lookup);
      SendLookup lookup{l.attempts, l.enqueued_at_ms, {}};
      for (size_t i = 0; i < l.taken_id_count && l.taken_ids; ++i)
        lookup.taken_ids.emplace_back(view(l.taken_ids[i]));
      const bool accepted = static_cast<P*>(static_cast<Plugin*>(instance))
                                ->lookup_send(ticket, outbound_copy(raw), lookup);
      if (accepted) return OG_OK;
      set_error(err, OG_DECLINE, "this plugin cannot look sends up");
      return OG_DECLINE;
    } catch (...) {
      return fail(err, std::current_exception());
    }
  }
  static og_status send_message(void* instance, uint64_t ticket, const og_outbound_message* raw,
                                og_error* err) {
    try {
      static_cast<P*>(static_cast<Plugin*>(instance))->send(ticket, outbound_copy(raw));
      return OG_OK;
    } catch (...) {
      return fail(err, std::current_exception());
    }
  }
  static void on_timer(void* instance, uint64_t id) {
    auto* p = static_cast<P*>(static_cast<Plugin*>(instance));
    try {
      p->on_timer(id);
    } catch (...) {
      log_failure(p, "on_timer");
    }
  }
  // Only a plugin that overrides Plugin::on_conversation is given notices: the host skips the
  // store read behind each one for a plugin that would ignore it.
  static constexpr bool listens_to_conversations =
      !std::is_same_v<decltype(&P::on_conversation), void (Plugin::*)(const ConversationNotice&)>;
  static void on_conversation(void* instance, const og_conversation_notice* raw) {
    auto* p = static_cast<P*>(static_cast<Plugin*>(instance));
    try {
      const auto n = copy_struct(raw);
      ConversationNotice notice;
      notice.change = n.change;
      if (n.state != nullptr) notice.state = conversation_copy(n.state);
      notice.previous_agent_id = view(n.previous_agent_id);
      notice.detail_json = view(n.detail_json);
      p->on_conversation(notice);
    } catch (...) {
      log_failure(p, "on_conversation");
    }
  }
  // Only a plugin that overrides Plugin::on_command is offered commands: for the others the
  // host answers the agent that the channel takes none.
  static constexpr bool takes_commands =
      !std::is_same_v<decltype(&P::on_command), og_status (Plugin::*)(const ChannelCommand&)>;
  static og_status on_command(void* instance, const og_channel_command* raw, og_error* err) {
    try {
      const auto c = copy_struct(raw);
      ChannelCommand command{c.conversation_id, std::string(view(c.thread_key)),
                             std::string(view(c.command)), std::string(view(c.data_json)),
                             std::string(view(c.agent_id))};
      const og_status st = static_cast<P*>(static_cast<Plugin*>(instance))->on_command(command);
      if (st != OG_OK) set_error(err, st, "command " + command.command + " refused");
      return st;
    } catch (...) {
      return fail(err, std::current_exception());
    }
  }
};

}  // namespace detail
}  // namespace omnigate

// The host minor a plugin needs. The wrapper itself needs only 2.0 (it probes anything newer),
// so a plugin rebuilt against a newer SDK still loads into an older 2.x gateway. A plugin that
// cannot work without a later minor's function defines this before including the header.
#ifndef OMNIGATE_PLUGIN_NEEDS_MINOR
#define OMNIGATE_PLUGIN_NEEDS_MINOR 0
#endif

// Declare the plugin class. Exactly once per plugin library, at namespace scope:
//   OMNIGATE_PLUGIN(SmsPlugin, "sms", "1.0.0", "sms", "Twilio-compatible SMS", kSchemaJson)
// The class needs a constructor taking (const omnigate::PluginContext&); it may throw
// omnigate::ConfigError / omnigate::Decline.
#define OMNIGATE_PLUGIN(CLASS, NAME, VERSION, KIND, DESCRIPTION, SCHEMA_JSON)          \
  extern "C" OG_EXPORT const og_plugin_api* og_plugin_entry(void) {                    \
    using A = ::omnigate::detail::Adapter<CLASS>;                                      \
    static const og_plugin_api api = [] {                                              \
      auto a = ::omnigate::detail::make_struct<og_plugin_api>();                       \
      a.abi_major = OG_ABI_MAJOR;                                                      \
      a.abi_minor = OMNIGATE_PLUGIN_NEEDS_MINOR;                                       \
      a.name = NAME;                                                                   \
      a.version = VERSION;                                                             \
      a.channel_kind = KIND;                                                           \
      a.description = DESCRIPTION;                                                     \
      a.config_schema_json = SCHEMA_JSON;                                              \
      a.create = &A::create;                                                           \
      a.start = &A::start;                                                             \
      a.stop = &A::stop;                                                               \
      a.destroy = &A::destroy;                                                         \
      a.send_message = &A::send_message;                                               \
      a.on_timer = &A::on_timer;                                                       \
      a.lookup_send = &A::lookup_send;                                                 \
      a.on_conversation = A::listens_to_conversations ? &A::on_conversation : nullptr; \
      a.on_command = A::takes_commands ? &A::on_command : nullptr;                     \
      return a;                                                                        \
    }();                                                                               \
    return &api;                                                                       \
  }
