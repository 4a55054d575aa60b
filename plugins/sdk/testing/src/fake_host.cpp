#include <omnigate/testing/fake_host.hpp>

#include <omnigate/plugin.hpp>

#include <dlfcn.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <stdexcept>

namespace omnigate::testing {
namespace {

// Limits the real host applies too (plugins/sdk/ABI.md).
constexpr size_t kMaxReplyBody = 4u << 20;
constexpr size_t kMaxReplyHeaders = 100;
constexpr size_t kMaxReplyHeaderBytes = 16u << 10;
constexpr size_t kMaxKvKey = 256;
constexpr size_t kMaxKvValue = 64u << 10;
constexpr size_t kMaxMetricName = 64;

std::string copy(og_str s) {
  return s.len && s.ptr ? std::string(s.ptr, s.len) : std::string();
}
og_str str(const std::string& s) {
  return {s.data(), s.size()};
}

// Structs received across the ABI are copied by their struct_size, and errors written as far as
// the caller's og_error reaches, with the SDK's own helpers: the fake host keeps the same rules.
using omnigate::detail::copy_struct;
void write_error(og_error* err, og_status status, const std::string& message) {
  omnigate::detail::set_error(err, status, message);
}
og_status fail(og_error* err, og_status status, const std::string& message) {
  write_error(err, status, message);
  return status;
}

// The host's header array for a request or fetch response.
std::vector<og_header> header_array(const HeaderList& headers) {
  std::vector<og_header> out;
  for (const auto& [n, v] : headers) {
    og_header h;
    std::memset(&h, 0, sizeof h);
    h.struct_size = sizeof h;
    h.name = {n.data(), n.size()};
    h.value = {v.data(), v.size()};
    out.push_back(h);
  }
  return out;
}

std::vector<RecordedAttachment> copy_attachments(const og_attachment* a, size_t n) {
  std::vector<RecordedAttachment> out;
  for (size_t i = 0; i < n && a; ++i) {
    auto c = copy_struct(OG_ARRAY_AT(a, og_attachment, i));
    out.push_back({copy(c.filename), copy(c.content_type), copy(c.data), copy(c.url),
                   copy(c.blob_ref), copy(c.content_id), copy(c.disposition), c.size});
  }
  return out;
}

std::string sha256_ref(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &len, EVP_sha256(), nullptr) != 1)
    throw std::runtime_error("SHA-256 failed");
  std::string ref = "sha256:";
  char hex[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(hex, sizeof hex, "%02x", digest[i]);
    ref += hex;
  }
  return ref;
}

// ---------------------------------------------------------------- respond()'s checks

bool is_token_char(unsigned char c) {
  return std::isalnum(c) || std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}
bool has_control(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && u != '\t') || u == 0x7f;
  });
}

// Why the real host would refuse this reply, or empty.
std::string reply_problem(const og_http_response* raw, RecordedResponse& out) {
  if (!raw || raw->struct_size < offsetof(og_http_response, body) + sizeof(og_str))
    return "response struct missing or too small";
  const auto r = copy_struct(raw);
  if ((r.content_type.len && !r.content_type.ptr) || (r.body.len && !r.body.ptr))
    return "a length without a pointer";
  if (r.header_count && !r.headers) return "headers NULL with header_count > 0";
  if (r.status < 200 || r.status > 599)
    return "status " + std::to_string(r.status) + " is not a final HTTP status (200..599)";
  out.status = r.status;
  out.content_type = copy(r.content_type);
  out.body = copy(r.body);
  if (!out.body.empty() && (r.status == 204 || r.status == 205 || r.status == 304))
    return "a body with status " + std::to_string(r.status);
  if (out.body.size() > kMaxReplyBody) return "body over 4 MiB";
  if (has_control(out.content_type)) return "control character in content_type";
  if (r.header_count > kMaxReplyHeaders) return "more than 100 headers";
  size_t header_bytes = out.content_type.size() + 4;
  for (size_t i = 0; i < r.header_count; ++i) {
    const auto h = copy_struct(OG_ARRAY_AT(r.headers, og_header, i));
    if ((h.name.len && !h.name.ptr) || (h.value.len && !h.value.ptr))
      return "a length without a pointer";
    std::string name = copy(h.name), value = copy(h.value);
    if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) {
          return is_token_char(static_cast<unsigned char>(c));
        }))
      return "header name \"" + name + "\" is not a token";
    if (has_control(value)) return "control character in header " + name;
    header_bytes += name.size() + value.size() + 4;
    out.headers.emplace_back(std::move(name), std::move(value));
  }
  if (header_bytes > kMaxReplyHeaderBytes) return "headers over 16 KiB";
  return {};
}

// ---------------------------------------------------------------- the host table

void fake_log(og_host_ctx* ctx, og_log_level, og_str message) {
  auto& host = FakeHost::from(ctx);
  std::lock_guard lock(host.mutex());
  host.logs.push_back(copy(message));
}

og_status fake_register_http_route(og_host_ctx* ctx, og_str method, og_str path,
                                   const og_route_options* options, og_http_handler_fn handler,
                                   void* user, og_error* err) {
  auto& host = FakeHost::from(ctx);
  RecordedRoute route{copy(method), copy(path), handler, user};
  if (route.path.empty() || route.path[0] != '/' || !handler)
    return fail(err, OG_CONFIG, "route path must start with / and have a handler");
  for (const auto& r : host.routes)
    if (r.method == route.method && r.path == route.path)
      return fail(err, OG_CONFIG, "route registered twice: " + route.method + " " + route.path);
  if (options) {
    const auto o = copy_struct(options);
    route.has_options = true;
    route.max_body_bytes = o.max_body_bytes;
    route.respond_timeout_ms = o.respond_timeout_ms;
  }
  host.routes.push_back(std::move(route));
  return OG_OK;
}

og_status fake_register_ws_route(og_host_ctx* ctx, og_str path, const og_ws_handlers* handlers,
                                 og_error* err) {
  if (!handlers) return fail(err, OG_PERMANENT, "handlers missing");
  FakeHost::from(ctx).ws_routes.push_back({copy(path), copy_struct(handlers)});
  return OG_OK;
}

og_status fake_respond(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response,
                       og_error* err) {
  auto& host = FakeHost::from(ctx);
  auto it = host.requests.find(request_id);
  if (it == host.requests.end() || it->second.state == FakeHost::RequestState::answered)
    return fail(err, OG_PERMANENT,
                "respond: request " + std::to_string(request_id) +
                    " is not open (unknown or already answered)");
  auto& request = it->second;
  RecordedResponse reply;
  const std::string problem = reply_problem(response, reply);
  if (!problem.empty()) {
    host.refused_responses.push_back({request_id, problem});
    request.refused = true;
    if (request.state == FakeHost::RequestState::deferred) {
      request.state = FakeHost::RequestState::answered;
      host.responses[request_id] = {500, "text/plain", "internal error\n", {}};
    }
    return fail(err, OG_PERMANENT, "reply refused: " + problem);
  }
  if (request.refused) return OG_OK;  // the answer stays 500
  if (request.state == FakeHost::RequestState::deferred) {
    // A deferred reply is sent as soon as it is given (commits succeed at once here).
    request.state = FakeHost::RequestState::answered;
    host.responses[request_id] = std::move(reply);
  } else {
    request.reply = std::move(reply);  // the last call in the handler wins
  }
  return OG_OK;
}

// A submit's commit: "durable" at once; `done` runs on the strand (run_posted()).
void queue_commit(FakeHost& host, og_commit_fn done, void* user) {
  if (!done) return;
  const og_status status = host.commit_status;
  const int64_t id = status == OG_OK ? host.next_stored_id++ : 0;
  host.enqueue([done, user, status, id](bool) { done(user, status, id); });
}

og_status fake_submit_inbound(og_host_ctx* ctx, uint64_t request_id, const og_inbound_message* m,
                              og_commit_fn done, void* user, og_error* err) {
  if (!m) return fail(err, OG_PERMANENT, "message missing");
  auto c = copy_struct(m);
  RecordedInbound r;
  r.request_id = request_id;
  r.provider_message_id = copy(c.provider_message_id);
  r.from_kind = copy(c.from_kind);
  r.from_address = copy(c.from_address);
  r.from_name = copy(c.from_name);
  r.to_address = copy(c.to_address);
  r.thread_key = copy(c.thread_key);
  r.subject = copy(c.subject);
  r.body_text = copy(c.body_text);
  r.body_html = copy(c.body_html);
  r.raw = copy(c.raw);
  r.metadata_json = copy(c.metadata_json);
  r.attachments = copy_attachments(c.attachments, c.attachment_count);
  for (size_t i = 0; i < c.skill_count && c.skills; ++i) {
    const auto s = copy_struct(OG_ARRAY_AT(c.skills, og_skill_requirement, i));
    r.skills.emplace_back(copy(s.skill), s.min_level);
  }
  r.priority = c.priority;
  r.flags = c.flags;
  r.sent_at_ms = c.sent_at_ms;
  auto& host = FakeHost::from(ctx);
  host.inbound.push_back(std::move(r));
  queue_commit(host, done, user);
  return OG_OK;
}

og_status fake_submit_delivery(og_host_ctx* ctx, uint64_t request_id,
                               const og_delivery_report* report, og_commit_fn done, void* user,
                               og_error* err) {
  if (!report) return fail(err, OG_PERMANENT, "report missing");
  auto c = copy_struct(report);
  auto& host = FakeHost::from(ctx);
  host.deliveries.push_back({request_id, copy(c.provider_message_id), c.state, copy(c.error_code),
                             copy(c.error_text), copy(c.raw)});
  queue_commit(host, done, user);
  return OG_OK;
}

og_status fake_submit_event(og_host_ctx* ctx, uint64_t request_id, const og_channel_event* event,
                            og_commit_fn done, void* user, og_error* err) {
  if (!event) return fail(err, OG_PERMANENT, "event missing");
  auto c = copy_struct(event);
  auto& host = FakeHost::from(ctx);
  host.events.push_back({request_id, copy(c.provider_event_id), copy(c.kind), copy(c.from_kind),
                         copy(c.from_address), copy(c.to_address), copy(c.thread_key),
                         copy(c.data_json), copy_attachments(c.attachments, c.attachment_count)});
  queue_commit(host, done, user);
  return OG_OK;
}

void fake_send_result(og_host_ctx* ctx, uint64_t ticket, const og_send_result* result) {
  auto c = copy_struct(result);
  auto& host = FakeHost::from(ctx);
  std::lock_guard lock(host.mutex());
  host.send_results.push_back({ticket, c.status, copy(c.provider_message_id), copy(c.error_code),
                               copy(c.error_text), c.retry_after_ms});
}

og_status fake_ws_send(og_host_ctx* ctx, uint64_t conn_id, og_str data, int32_t is_text,
                       og_error* err) {
  auto& host = FakeHost::from(ctx);
  if (!host.open_ws.count(conn_id))
    return fail(err, OG_PERMANENT, "connection " + std::to_string(conn_id) + " is gone");
  host.ws_sent.push_back({conn_id, copy(data), is_text != 0});
  return OG_OK;
}

og_status fake_ws_close(og_host_ctx* ctx, uint64_t conn_id, int32_t code, og_str reason) {
  auto& host = FakeHost::from(ctx);
  host.ws_closed.push_back({conn_id, code, copy(reason)});
  host.open_ws.erase(conn_id);
  return OG_OK;
}

og_status fake_set_timer(og_host_ctx* ctx, uint32_t delay_ms, uint64_t* timer_id, og_error*) {
  auto& host = FakeHost::from(ctx);
  host.timers.push_back(delay_ms);
  *timer_id = host.timers.size();
  return OG_OK;
}

void fake_cancel_timer(og_host_ctx* ctx, uint64_t timer_id) {
  FakeHost::from(ctx).cancelled_timers.push_back(timer_id);
}

og_status fake_http_fetch(og_host_ctx* ctx, const og_fetch_request* request, og_fetch_done_fn done,
                          void* user, uint64_t* fetch_id, og_error* err) {
  if (!request || !done || !fetch_id) return fail(err, OG_PERMANENT, "fetch arguments missing");
  auto c = copy_struct(request);
  auto& host = FakeHost::from(ctx);
  RecordedFetch f;
  f.id = host.fetches.size() + 1;
  f.method = copy(c.method);
  f.url = copy(c.url);
  f.body = copy(c.body);
  f.basic_auth_user = copy(c.basic_auth_user);
  f.basic_auth_password = copy(c.basic_auth_password);
  for (size_t i = 0; i < c.header_count && c.headers; ++i) {
    const auto h = copy_struct(OG_ARRAY_AT(c.headers, og_header, i));
    f.headers.emplace_back(copy(h.name), copy(h.value));
  }
  f.timeout_ms = c.timeout_ms;
  f.flags = c.flags;
  f.done = done;
  f.user = user;
  *fetch_id = f.id;
  host.fetches.push_back(std::move(f));
  return OG_OK;
}

og_status fake_kv_get(og_host_ctx* ctx, og_str key, og_kv_visit_fn visit, void* user,
                      int32_t* found, og_error* err) {
  auto& host = FakeHost::from(ctx);
  const std::string k = copy(key);
  if (k.empty() || k.size() > kMaxKvKey) return fail(err, OG_PERMANENT, "key must be 1..256 bytes");
  auto it = host.kv.find(k);
  if (found) *found = it != host.kv.end();
  if (it != host.kv.end() && visit) {
    const std::string value = it->second;  // the visitor may write the store
    visit(user, str(value));
  }
  return OG_OK;
}

og_status fake_kv_put(og_host_ctx* ctx, og_str key, og_str value, og_kv_done_fn done, void* user,
                      og_error* err) {
  auto& host = FakeHost::from(ctx);
  const std::string k = copy(key);
  if (k.empty() || k.size() > kMaxKvKey) return fail(err, OG_PERMANENT, "key must be 1..256 bytes");
  if (value.len > kMaxKvValue) return fail(err, OG_PERMANENT, "value over 64 KiB");
  host.kv[k] = copy(value);  // visible to kv_get at once, "durable" at the completion
  const og_status status = host.kv_status;
  if (done) host.enqueue([done, user, status](bool) { done(user, status); });
  return OG_OK;
}

og_status fake_kv_delete(og_host_ctx* ctx, og_str key, og_kv_done_fn done, void* user,
                         og_error* err) {
  auto& host = FakeHost::from(ctx);
  const std::string k = copy(key);
  if (k.empty() || k.size() > kMaxKvKey) return fail(err, OG_PERMANENT, "key must be 1..256 bytes");
  host.kv.erase(k);
  const og_status status = host.kv_status;
  if (done) host.enqueue([done, user, status](bool) { done(user, status); });
  return OG_OK;
}

og_status fake_list_unsettled_sends(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                    int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                    void* user, int32_t* count, og_error* err) {
  auto& host = FakeHost::from(ctx);
  if (limit < 1 || limit > 1000) return fail(err, OG_PERMANENT, "limit must be 1..1000");
  host.listings.push_back({sent_after_ms, sent_before_ms, after_id, limit});
  int32_t n = 0;
  for (const auto& u : host.unsettled) {
    if (n >= limit) break;
    if (u.outbox_id <= after_id || u.sent_at_ms < sent_after_ms || u.sent_at_ms >= sent_before_ms)
      continue;
    og_unsettled_send s;
    std::memset(&s, 0, sizeof s);
    s.struct_size = sizeof s;
    s.outbox_id = u.outbox_id;
    s.state = u.state;
    s.provider_message_id = {u.provider_message_id.data(), u.provider_message_id.size()};
    s.sent_at_ms = u.sent_at_ms;
    visit(user, &s);
    ++n;
  }
  *count = n;
  return OG_OK;
}

og_status fake_post(og_host_ctx* ctx, og_task_fn fn, void* user, og_error* err) {
  auto& host = FakeHost::from(ctx);
  if (!fn) return fail(err, OG_PERMANENT, "post: no task");
  {
    std::lock_guard lock(host.mutex());
    if (host.stopped) return fail(err, OG_RETRY, "post: the instance is stopping");
  }
  host.enqueue([fn, user](bool cancelled) { fn(user, cancelled ? 1 : 0); });
  return OG_OK;
}

const og_host_info* fake_host_info(og_host_ctx* ctx) {
  return FakeHost::from(ctx).host_info();
}

og_status fake_get_conversation(og_host_ctx* ctx, int64_t conversation_id,
                                og_conversation_visit_fn visit, void* user, og_error* err);

og_status fake_blob_begin(og_host_ctx* ctx, uint64_t* writer_id, og_error* err) {
  if (!writer_id) return fail(err, OG_PERMANENT, "writer_id missing");
  auto& host = FakeHost::from(ctx);
  *writer_id = host.next_blob_writer++;
  host.blob_writers[*writer_id] = {};
  return OG_OK;
}

og_status fake_blob_write(og_host_ctx* ctx, uint64_t writer_id, og_str chunk, og_error* err) {
  auto& host = FakeHost::from(ctx);
  auto it = host.blob_writers.find(writer_id);
  if (it == host.blob_writers.end()) return fail(err, OG_PERMANENT, "unknown blob writer");
  if (chunk.len && !chunk.ptr) return fail(err, OG_PERMANENT, "a length without a pointer");
  if (it->second.bytes.size() + chunk.len > host.blob_limit_bytes) {
    host.blob_writers.erase(it);
    return fail(err, OG_PERMANENT, "blob larger than the instance's limit");
  }
  it->second.bytes.append(chunk.ptr ? chunk.ptr : "", chunk.len);
  return OG_OK;
}

og_status fake_blob_finish(og_host_ctx* ctx, uint64_t writer_id, char* ref, size_t ref_capacity,
                           uint64_t* size, og_error* err) {
  auto& host = FakeHost::from(ctx);
  auto it = host.blob_writers.find(writer_id);
  if (it == host.blob_writers.end()) return fail(err, OG_PERMANENT, "unknown blob writer");
  const std::string reference = sha256_ref(it->second.bytes);
  if (!ref || ref_capacity < reference.size() + 1)
    return fail(err, OG_PERMANENT, "ref buffer smaller than OG_BLOB_REF_MAX");
  std::memcpy(ref, reference.c_str(), reference.size() + 1);
  if (size) *size = it->second.bytes.size();
  host.blobs[reference] = std::move(it->second.bytes);
  host.blob_writers.erase(it);
  return OG_OK;
}

void fake_blob_abort(og_host_ctx* ctx, uint64_t writer_id) {
  FakeHost::from(ctx).blob_writers.erase(writer_id);
}

og_status fake_blob_read(og_host_ctx* ctx, og_str ref, uint64_t offset, void* buffer,
                         size_t capacity, size_t* got, uint64_t* total, og_error* err) {
  auto& host = FakeHost::from(ctx);
  auto it = host.blobs.find(copy(ref));
  if (it == host.blobs.end()) return fail(err, OG_NOT_FOUND, "no such blob: " + copy(ref));
  if (!got || (capacity && !buffer)) return fail(err, OG_PERMANENT, "buffer or got missing");
  const std::string& bytes = it->second;
  const size_t from = static_cast<size_t>(std::min<uint64_t>(offset, bytes.size()));
  const size_t n = std::min(capacity, bytes.size() - from);
  if (n) std::memcpy(buffer, bytes.data() + from, n);
  *got = n;
  if (total) *total = bytes.size();
  return OG_OK;
}

bool valid_metric_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxMetricName) return false;
  if (!(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return std::islower(static_cast<unsigned char>(c)) ||
           std::isdigit(static_cast<unsigned char>(c)) || c == '_';
  });
}

og_status fake_metric_register(og_host_ctx* ctx, og_metric_kind kind, og_str name, og_str help,
                               uint64_t* metric_id, og_error* err) {
  auto& host = FakeHost::from(ctx);
  const std::string n = copy(name);
  if (!valid_metric_name(n))
    return fail(err, OG_PERMANENT, "metric name \"" + n + "\" is not [a-z_][a-z0-9_]*, <= 64");
  if (kind < OG_METRIC_COUNTER || kind > OG_METRIC_HISTOGRAM)
    return fail(err, OG_PERMANENT, "unknown metric kind " + std::to_string(kind));
  if (!metric_id) return fail(err, OG_PERMANENT, "metric_id missing");
  std::lock_guard lock(host.mutex());
  for (const auto& m : host.metrics) {
    if (m.name != n) continue;
    if (m.kind != kind)
      return fail(err, OG_PERMANENT, "metric " + n + " registered as another kind");
    *metric_id = m.id;
    return OG_OK;
  }
  host.metrics.push_back({host.metrics.size() + 1, kind, n, copy(help), {}});
  *metric_id = host.metrics.back().id;
  return OG_OK;
}

void fake_metric_record(og_host_ctx* ctx, uint64_t metric_id, double value) {
  auto& host = FakeHost::from(ctx);
  std::lock_guard lock(host.mutex());
  if (metric_id == 0 || metric_id > host.metrics.size()) return;  // unknown ids are ignored
  host.metrics[metric_id - 1].values.push_back(value);
}

// The borrowed view of a conversation the plugin gets (strings point into `c`).
og_conversation_state state_of(const FakeConversation& c) {
  og_conversation_state s;
  std::memset(&s, 0, sizeof s);
  s.struct_size = sizeof s;
  s.conversation_id = c.conversation_id;
  s.thread_key = str(c.thread_key);
  s.customer_kind = str(c.customer_kind);
  s.customer_address = str(c.customer_address);
  s.status = str(c.status);
  s.priority = c.priority;
  s.queue_position = c.queue_position;
  s.expected_wait_ms = c.expected_wait_ms;
  s.agent_id = str(c.agent_id);
  s.agent_display_name = str(c.agent_display_name);
  s.agent_contact_json = str(c.agent_contact_json);
  return s;
}

og_status fake_get_conversation(og_host_ctx* ctx, int64_t conversation_id,
                                og_conversation_visit_fn visit, void* user, og_error* err) {
  auto& host = FakeHost::from(ctx);
  auto it = host.conversations.find(conversation_id);
  if (it == host.conversations.end())
    return fail(err, OG_NOT_FOUND, "no conversation " + std::to_string(conversation_id));
  const FakeConversation snapshot = it->second;
  const og_conversation_state state = state_of(snapshot);
  if (visit) visit(user, &state);
  return OG_OK;
}

og_status fake_signal(og_host_ctx* ctx, const og_conversation_signal* signal, og_error* err) {
  if (!OG_HAS_FIELD(signal, og_conversation_signal, data_json))
    return fail(err, OG_PERMANENT, "og_conversation_signal is NULL or too small");
  auto& host = FakeHost::from(ctx);
  const std::string kind = copy(signal->kind);
  const std::string data = copy(signal->data_json);
  const bool kind_ok =
      !kind.empty() && kind.size() <= 32 && std::all_of(kind.begin(), kind.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || c == '_' || c == '.';
      });
  if (!kind_ok) return fail(err, OG_PERMANENT, "signal kind must be 1..32 of [a-z_.]");
  const auto first = data.find_first_not_of(" \t\r\n");
  const auto last = data.find_last_not_of(" \t\r\n");
  if (first != std::string::npos && (data[first] != '{' || data[last] != '}'))
    return fail(err, OG_PERMANENT, "signal data_json must be a JSON object or empty");
  std::lock_guard lock(host.mutex());
  if (host.conversations.count(signal->conversation_id) == 0)
    return fail(err, OG_NOT_FOUND, "no conversation " + std::to_string(signal->conversation_id));
  host.signals.push_back({signal->conversation_id, kind, data});
  return OG_OK;
}

og_status fake_channel_availability(og_host_ctx* ctx, const og_skill_requirement* skills,
                                    size_t skill_count, og_channel_availability* out,
                                    og_error* err) {
  if (out == nullptr || out->struct_size < sizeof(uint32_t))
    return fail(err, OG_PERMANENT, "og_channel_availability is NULL or too small");
  auto& host = FakeHost::from(ctx);
  std::vector<std::pair<std::string, int>> asked;
  for (size_t i = 0; i < skill_count; ++i) {
    const auto* s = OG_ARRAY_AT(skills, og_skill_requirement, i);
    asked.emplace_back(copy(s->skill), s->min_level);
  }
  std::lock_guard lock(host.mutex());
  host.availability_queries.push_back(std::move(asked));
  if (host.availability_status != OG_OK)
    return fail(err, host.availability_status, "availability unknown");
  og_channel_availability answer;
  std::memset(&answer, 0, sizeof answer);
  answer.agents_online = host.availability.agents_online;
  answer.agents_free = host.availability.agents_free;
  answer.queued = host.availability.queued;
  answer.expected_wait_ms = host.availability.expected_wait_ms;
  const uint32_t size = out->struct_size;  // caller-owned: written as far as it covers
  std::memcpy(out, &answer, std::min<size_t>(size, sizeof answer));
  out->struct_size = size;
  return OG_OK;
}

bool braces_or_empty(const std::string& data) {
  const auto first = data.find_first_not_of(" \t\r\n");
  const auto last = data.find_last_not_of(" \t\r\n");
  return first == std::string::npos || (data[first] == '{' && data[last] == '}');
}

og_status fake_conversation_action(og_host_ctx* ctx, const og_conversation_action* action,
                                   og_commit_fn done, void* user, og_error* err) {
  if (!OG_HAS_FIELD(action, og_conversation_action, data_json))
    return fail(err, OG_PERMANENT, "og_conversation_action is NULL or too small");
  auto& host = FakeHost::from(ctx);
  RecordedAction a;
  a.kind = action->kind;
  a.conversation_id = action->conversation_id;
  a.thread_key = copy(action->thread_key);
  a.agent_id = copy(action->agent_id);
  a.reason = copy(action->reason);
  a.data_json = copy(action->data_json);
  if (a.kind < OG_ACTION_ANSWERED || a.kind > OG_ACTION_TRANSFER)
    return fail(err, OG_PERMANENT, "action kind must be 1..5 (OG_ACTION_*)");
  if (!braces_or_empty(a.data_json))
    return fail(err, OG_PERMANENT, "action data_json must be a JSON object or empty");
  if (a.kind == OG_ACTION_TRANSFER && a.agent_id.empty())
    return fail(err, OG_PERMANENT, "a TRANSFER action needs agent_id");
  og_status status = OG_OK;
  {
    std::lock_guard lock(host.mutex());
    if (a.conversation_id != 0) {
      if (host.conversations.count(a.conversation_id) == 0)
        return fail(err, OG_NOT_FOUND, "no conversation " + std::to_string(a.conversation_id));
    } else {
      for (const auto& [id, c] : host.conversations) {  // ascending: the latest wins
        if (!a.thread_key.empty() && c.thread_key == a.thread_key && c.status != "resolved" &&
            c.status != "closed")
          a.conversation_id = id;
      }
      if (a.conversation_id == 0)
        return fail(err, OG_NOT_FOUND, "no open conversation with this thread_key");
    }
    host.actions.push_back(a);
    status = host.action_status;
  }
  const int64_t id = a.conversation_id;
  if (done)
    host.enqueue([done, user, status, id](bool cancelled) {
      done(user, cancelled ? OG_RETRY : status, id);
    });
  return OG_OK;
}

og_status fake_customer_lookup(og_host_ctx* ctx, og_str kind, og_str address,
                               og_customer_visit_fn visit, void* user, og_error* err) {
  auto& host = FakeHost::from(ctx);
  const std::string k = copy(kind);
  const std::string a = copy(address);
  if (k.empty() || a.empty())
    return fail(err, OG_PERMANENT, "customer_lookup needs a kind and an address");
  std::optional<FakeCustomer> found;
  {
    std::lock_guard lock(host.mutex());
    for (const auto& c : host.customers)
      if (c.kind == k && c.address == a) found = c;
  }
  if (!found) return fail(err, OG_NOT_FOUND, "no customer with this identity");
  og_customer_info info;
  std::memset(&info, 0, sizeof info);
  info.struct_size = sizeof info;
  info.customer_id = found->customer_id;
  info.display_name = str(found->display_name);
  info.tier = str(found->tier);
  info.open_conversations = found->open_conversations;
  if (visit) visit(user, &info);
  return OG_OK;
}

}  // namespace

std::string RecordedFetch::header(const std::string& name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

FakeHost::FakeHost() {
  std::memset(&api_, 0, sizeof api_);
  std::memset(&info_, 0, sizeof info_);
  api_.struct_size = sizeof api_;
  api_.abi_major = OG_ABI_MAJOR;
  api_.abi_minor = OG_ABI_MINOR;
  api_.log = &fake_log;
  api_.register_http_route = &fake_register_http_route;
  api_.register_ws_route = &fake_register_ws_route;
  api_.respond = &fake_respond;
  api_.submit_inbound = &fake_submit_inbound;
  api_.submit_delivery = &fake_submit_delivery;
  api_.submit_event = &fake_submit_event;
  api_.send_result = &fake_send_result;
  api_.ws_send = &fake_ws_send;
  api_.ws_close = &fake_ws_close;
  api_.set_timer = &fake_set_timer;
  api_.cancel_timer = &fake_cancel_timer;
  api_.http_fetch = &fake_http_fetch;
  api_.kv_get = &fake_kv_get;
  api_.kv_put = &fake_kv_put;
  api_.kv_delete = &fake_kv_delete;
  api_.list_unsettled_sends = &fake_list_unsettled_sends;
  api_.post = &fake_post;
  api_.host_info = &fake_host_info;
  api_.get_conversation = &fake_get_conversation;
  api_.signal = &fake_signal;
  api_.channel_availability = &fake_channel_availability;
  api_.conversation_action = &fake_conversation_action;
  api_.customer_lookup = &fake_customer_lookup;
  api_.blob_begin = &fake_blob_begin;
  api_.blob_write = &fake_blob_write;
  api_.blob_finish = &fake_blob_finish;
  api_.blob_abort = &fake_blob_abort;
  api_.blob_read = &fake_blob_read;
  api_.metric_register = &fake_metric_register;
  api_.metric_record = &fake_metric_record;
}

void FakeHost::enqueue(std::function<void(bool cancelled)> run) {
  std::lock_guard lock(mutex_);
  queue_.push_back(std::move(run));
}

size_t FakeHost::run_posted() {
  size_t ran = 0;
  for (;;) {
    std::vector<std::function<void(bool)>> batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(queue_);
    }
    if (batch.empty()) return ran;
    for (auto& task : batch) {  // outside the lock: a task may post again
      task(false);
      ++ran;
    }
  }
}

size_t FakeHost::cancel_posted() {
  size_t ran = 0;
  for (;;) {
    std::vector<std::function<void(bool)>> batch;
    {
      std::lock_guard lock(mutex_);
      batch.swap(queue_);
    }
    if (batch.empty()) return ran;
    for (auto& task : batch) {
      task(true);
      ++ran;
    }
  }
}

size_t FakeHost::posted_count() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

std::optional<RecordedResponse> FakeHost::response(uint64_t request_id) const {
  auto it = responses.find(request_id);
  if (it == responses.end()) return std::nullopt;
  return it->second;
}

void FakeHost::expire_request(uint64_t request_id) {
  auto it = requests.find(request_id);
  if (it == requests.end() || it->second.state != RequestState::deferred) return;
  it->second.state = RequestState::answered;
  responses[request_id] = {503, "text/plain", "no reply in time\n", {}};
}

std::string FakeHost::store_blob(std::string_view bytes) {
  std::string ref = sha256_ref(bytes);
  blobs[ref] = std::string(bytes);
  return ref;
}

const RecordedMetric* FakeHost::metric(std::string_view name) const {
  std::lock_guard lock(mutex_);
  for (const auto& m : metrics)
    if (m.name == name) return &m;
  return nullptr;
}

const og_host_info* FakeHost::host_info() {
  std::lock_guard lock(mutex_);
  mount_path_ = "/channels/" + instance_name;
  info_.struct_size = sizeof info_;
  info_.instance_name = str(instance_name);
  info_.mount_path = str(mount_path_);
  info_.public_base_url = str(public_base_url);
  info_.gateway_version = str(gateway_version);
  return &info_;
}

LoadedPlugin::LoadedPlugin(const std::string& path, FakeHost& host, const std::string& instance,
                           const std::string& config_json)
    : host_(host), instance_(instance) {
  library_ = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!library_) throw std::runtime_error(std::string("dlopen failed: ") + dlerror());
  auto entry = reinterpret_cast<og_plugin_entry_fn>(dlsym(library_, OG_PLUGIN_ENTRY_SYMBOL));
  if (!entry) throw std::runtime_error("no og_plugin_entry in " + path);
  api_ = entry();
  host.instance_name = instance;
  og_error err = OG_ERROR_INIT;
  create_status_ = api_->create(host.api(), host.ctx(), {instance.data(), instance.size()},
                                {config_json.data(), config_json.size()}, &instance_ptr_, &err);
  create_error_ = err.message;
}

LoadedPlugin::~LoadedPlugin() {
  // Like the real host at shutdown: every fetch still running completes (cancelled), queued
  // tasks run cancelled and completions are delivered, all before destroy().
  for (size_t i = 0; i < host_.fetches.size(); ++i)
    if (!host_.fetches[i].completed) complete_fetch(i, 0, "", {}, "cancelled");
  if (instance_ptr_ && !stopped_) {
    std::lock_guard lock(host_.mutex());
    host_.stopped = true;
  }
  host_.cancel_posted();
  if (instance_ptr_) api_->destroy(instance_ptr_);
  if (library_) dlclose(library_);
}

uint64_t LoadedPlugin::begin_request(const std::string& method, const std::string& path,
                                     const std::string& query, const HeaderList& headers,
                                     const std::string& body, og_status* handler_status) {
  for (const auto& route : host_.routes) {
    if (route.path != path || (!route.method.empty() && route.method != method)) continue;
    const std::vector<og_header> hdrs = header_array(headers);
    std::string target = "/channels/" + instance_ + path + (query.empty() ? "" : "?" + query);
    og_http_request r;
    std::memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.request_id = next_request_id_++;
    r.method = {method.data(), method.size()};
    r.target = {target.data(), target.size()};
    r.path = {path.data(), path.size()};
    r.query = {query.data(), query.size()};
    r.headers = hdrs.empty() ? nullptr : hdrs.data();
    r.header_count = hdrs.size();
    r.body = {body.data(), body.size()};
    r.remote_addr = {"127.0.0.1", 9};
    host_.requests[r.request_id] = {};
    const og_status st = route.handler(route.user, &r);
    if (handler_status) *handler_status = st;
    auto& request = host_.requests[r.request_id];
    if (request.refused) {
      request.state = FakeHost::RequestState::answered;
      host_.responses[r.request_id] = {500, "text/plain", "internal error\n", {}};
    } else if (request.reply) {
      request.state = FakeHost::RequestState::answered;
      host_.responses[r.request_id] = *request.reply;
    } else if (st == OG_PENDING) {
      request.state = FakeHost::RequestState::deferred;
    } else {
      request.state = FakeHost::RequestState::answered;
      const int status = st == OG_OK ? 204 : st == OG_PERMANENT ? 400 : st == OG_RETRY ? 503 : 500;
      host_.responses[r.request_id] = {status, "", "", {}};
    }
    return r.request_id;
  }
  throw std::runtime_error("no route for " + method + " " + path);
}

RecordedResponse LoadedPlugin::request(const std::string& method, const std::string& path,
                                       const std::string& query, const HeaderList& headers,
                                       const std::string& body) {
  const uint64_t id = begin_request(method, path, query, headers, body);
  auto reply = host_.response(id);
  if (!reply) throw std::runtime_error("handler deferred its reply: use begin_request");
  return *reply;
}

og_status LoadedPlugin::send(uint64_t ticket, const og_outbound_message& message,
                             std::string* error) {
  og_error err = OG_ERROR_INIT;
  og_status st = api_->send_message(instance_ptr_, ticket, &message, &err);
  if (error) *error = err.message;
  return st;
}

og_status LoadedPlugin::lookup(uint64_t ticket, const og_outbound_message& message,
                               int64_t enqueued_at_ms, std::string* error,
                               const std::vector<std::string>& taken) {
  std::vector<og_str> ids;
  for (const auto& id : taken) ids.push_back({id.data(), id.size()});
  og_send_lookup lookup;
  std::memset(&lookup, 0, sizeof lookup);
  lookup.struct_size = sizeof lookup;
  lookup.attempts = 1;
  lookup.enqueued_at_ms = enqueued_at_ms;
  lookup.taken_ids = ids.data();
  lookup.taken_id_count = ids.size();
  og_error err = OG_ERROR_INIT;
  og_status st = api_->lookup_send(instance_ptr_, ticket, &message, &lookup, &err);
  if (error) *error = err.message;
  return st;
}

og_status LoadedPlugin::start(std::string* error) {
  og_error err = OG_ERROR_INIT;
  og_status st = api_->start ? api_->start(instance_ptr_, &err) : OG_OK;
  if (error) *error = err.message;
  return st;
}

void LoadedPlugin::stop() {
  if (stopped_) return;
  stopped_ = true;
  if (api_->stop) api_->stop(instance_ptr_);
  {
    std::lock_guard lock(host_.mutex());
    host_.stopped = true;
  }
  host_.cancel_posted();
}

void LoadedPlugin::fire_timer(uint64_t timer_id) {
  api_->on_timer(instance_ptr_, timer_id);
}

void LoadedPlugin::complete_fetch(size_t index, int http_status, const std::string& body,
                                  const HeaderList& headers, const std::string& error) {
  RecordedFetch& f = host_.fetches.at(index);
  if (f.completed) throw std::logic_error("fetch completed twice");
  f.completed = true;
  const std::vector<og_header> hdrs = header_array(headers);
  og_fetch_response r;
  std::memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  r.http_status = http_status;
  r.headers = hdrs.empty() ? nullptr : hdrs.data();
  r.header_count = hdrs.size();
  r.body = {body.data(), body.size()};
  r.error = {error.data(), error.size()};
  f.done(f.user, f.id, &r);
}

bool LoadedPlugin::notify_conversation(og_conversation_change change, int64_t conversation_id,
                                       const std::string& previous_agent_id,
                                       const std::string& detail_json) {
  if (!OG_HAS_FIELD(api_, og_plugin_api, on_conversation) || !api_->on_conversation) return false;
  const FakeConversation snapshot = host_.conversations.at(conversation_id);
  const og_conversation_state state = state_of(snapshot);
  og_conversation_notice notice;
  std::memset(&notice, 0, sizeof notice);
  notice.struct_size = sizeof notice;
  notice.change = change;
  notice.state = &state;
  notice.previous_agent_id = str(previous_agent_id);
  notice.detail_json = str(detail_json);
  api_->on_conversation(instance_ptr_, &notice);
  return true;
}

og_status LoadedPlugin::command(int64_t conversation_id, const std::string& command,
                                const std::string& data_json, const std::string& agent_id,
                                std::string* error) {
  if (!OG_HAS_FIELD(api_, og_plugin_api, on_command) || !api_->on_command) {
    if (error) *error = "the plugin takes no commands";
    return OG_DECLINE;
  }
  std::string thread_key;
  if (auto it = host_.conversations.find(conversation_id); it != host_.conversations.end())
    thread_key = it->second.thread_key;
  og_channel_command c;
  std::memset(&c, 0, sizeof c);
  c.struct_size = sizeof c;
  c.conversation_id = conversation_id;
  c.thread_key = str(thread_key);
  c.command = str(command);
  c.data_json = str(data_json);
  c.agent_id = str(agent_id);
  og_error err = OG_ERROR_INIT;
  const og_status status = api_->on_command(instance_ptr_, &c, &err);
  if (error) *error = status == OG_OK ? std::string() : std::string(err.message);
  return status;
}

bool LoadedPlugin::ws_connect(const std::string& path, uint64_t conn_id,
                              const HeaderList& headers) {
  for (const auto& route : host_.ws_routes) {
    if (route.path != path) continue;
    const std::vector<og_header> hdrs = header_array(headers);
    std::string target = "/channels/" + instance_ + path;
    og_http_request r;
    std::memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.request_id = next_request_id_++;
    r.method = {"GET", 3};
    r.target = str(target);
    r.path = str(path);
    r.headers = hdrs.empty() ? nullptr : hdrs.data();
    r.header_count = hdrs.size();
    r.remote_addr = {"127.0.0.1", 9};
    const bool accepted = !route.handlers.on_open ||
                          route.handlers.on_open(route.handlers.user, conn_id, &r) == OG_OK;
    if (accepted) {
      host_.open_ws.insert(conn_id);
      ws_paths_[conn_id] = path;
    }
    return accepted;
  }
  throw std::runtime_error("no WebSocket route " + path);
}

const RecordedWsRoute& LoadedPlugin::ws_route_of(uint64_t conn_id) const {
  const std::string& path = ws_paths_.at(conn_id);
  for (const auto& route : host_.ws_routes)
    if (route.path == path) return route;
  throw std::logic_error("WebSocket route vanished");
}

void LoadedPlugin::ws_receive(uint64_t conn_id, const std::string& data, bool is_text) {
  const auto& route = ws_route_of(conn_id);
  if (route.handlers.on_message)
    route.handlers.on_message(route.handlers.user, conn_id, str(data), is_text ? 1 : 0);
}

void LoadedPlugin::ws_disconnect(uint64_t conn_id) {
  const auto& route = ws_route_of(conn_id);
  host_.open_ws.erase(conn_id);
  if (route.handlers.on_close) route.handlers.on_close(route.handlers.user, conn_id);
  ws_paths_.erase(conn_id);
}

}  // namespace omnigate::testing
