#include "plugin_process/plugin_host_process.hpp"

#include "core/clock.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "plugin_host/plugin_response.hpp"
#include "plugin_host/record_mapping.hpp"
#include "plugin_process/protocol.hpp"
#include "plugin_process/rpc_channel.hpp"
#include "plugin_process/wire.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace omnigate::plugin_process {
namespace {

using plugin_host::make_abi_struct;
using plugin_host::read_abi_struct;
using plugin_host::write_error;

class ChildHost;

// What og_host_ctx points at in this process. The plugin never looks inside; the host
// functions below cast it back.
struct ChildCtx {
  ChildHost* host;
};

// The request whose route handler this thread is running (0: none). respond() and submit_*()
// for it are sent without waiting for an answer, once checked here with the host's own rules:
// inside its handler the request is open, so the host's answer is known in advance — one
// round trip per webhook instead of three.
thread_local uint64_t t_handling_request = 0;

ChildHost& child_of(og_host_ctx* ctx) {
  return *reinterpret_cast<ChildCtx*>(ctx)->host;
}

// A plugin callback (commit done, fetch done, visitor, task) kept under a number the gateway
// passes back. The function pointer is stored as a generic one and cast back on use.
struct Callback {
  void (*fn)() = nullptr;
  void* user = nullptr;
};

template <class Fn>
void (*erase_type(Fn fn))() {
  return reinterpret_cast<void (*)()>(fn);
}
template <class Fn>
Fn restore_type(void (*fn)()) {
  return reinterpret_cast<Fn>(fn);
}

class ChildHost {
 public:
  explicit ChildHost(int fd)
      : channel_(
            fd, /*odd_lanes=*/true,
            [this](std::uint32_t method, std::string_view payload) {
              return handle(method, payload);
            },
            [this](Frame frame) { queue_.push(std::move(frame)); },
            [](const std::string&) {
              // The gateway is gone or is done with us: nothing here may outlive it.
              ::_exit(0);
            }) {
    ctx_.host = this;
    table_ = make_table();
  }

  int run() {
    channel_.start();
    while (auto frame = queue_.pop()) channel_.serve(std::move(*frame));
    return 0;
  }

  // ---- calls to the gateway
  // The result reader of a call, or nullopt (with `err` set) when the gateway is unreachable.
  std::optional<std::string> call(HostMethod method, WireWriter& w) {
    return channel_.call(id(method), w.take(), std::nullopt);
  }
  // Calls and returns the status (message into `err`); rest() then reads what follows it.
  og_status call_status(HostMethod method, WireWriter& w, og_error* err) {
    auto result = call(method, w);
    if (!result) {
      write_error(err, OG_RETRY, "the gateway connection is closed");
      return OG_RETRY;
    }
    result_ = std::move(*result);
    WireReader r(result_);
    const og_status status = r.i32();
    const std::string_view message = r.str();
    if (status != OG_OK) write_error(err, status, message);
    rest_ = r;
    return status;
  }
  WireReader& rest() { return rest_; }
  void notify(HostMethod method, WireWriter& w) { channel_.notify(id(method), w.take()); }

  std::uint64_t keep(Callback cb) {
    if (cb.fn == nullptr) return 0;
    std::lock_guard lock(mu_);
    const std::uint64_t n = next_callback_++;
    callbacks_[n] = cb;
    return n;
  }
  std::optional<Callback> take(std::uint64_t n, bool erase = true) {
    std::lock_guard lock(mu_);
    auto it = callbacks_.find(n);
    if (it == callbacks_.end()) return std::nullopt;
    Callback cb = it->second;
    if (erase) callbacks_.erase(it);
    return cb;
  }
  void forget(std::uint64_t n) {
    std::lock_guard lock(mu_);
    callbacks_.erase(n);
  }
  std::uint64_t add_route(og_http_handler_fn fn, void* user) {
    std::lock_guard lock(mu_);
    routes_.push_back({fn, user});
    return routes_.size() - 1;
  }
  std::uint64_t add_ws(const og_ws_handlers& handlers) {
    std::lock_guard lock(mu_);
    ws_.push_back(handlers);
    return ws_.size() - 1;
  }
  const og_host_info* info() const { return &info_; }
  plugin_host::RecordSource record_source() const {
    return {instance_name_, plugin_ ? plugin_->api().channel_kind : "", now_ms(), nullptr};
  }

 private:
  std::string handle(std::uint32_t method, std::string_view payload);
  std::string load(WireReader& r);
  std::string create(WireReader& r);
  static og_host_api make_table();

  og_http_handler_fn route(std::uint64_t n, void*& user) {
    std::lock_guard lock(mu_);
    if (n >= routes_.size()) throw WireError("unknown route handler");
    user = routes_[n].user;
    return routes_[n].fn;
  }
  og_ws_handlers ws(std::uint64_t n) {
    std::lock_guard lock(mu_);
    if (n >= ws_.size()) throw WireError("unknown WebSocket handlers");
    return ws_[n];
  }

  TopLevelQueue queue_;
  RpcChannel channel_;
  ChildCtx ctx_{};
  og_host_api table_{};
  std::shared_ptr<plugin_host::LoadedPlugin> plugin_;
  void* instance_ = nullptr;

  // host_info(): its strings
  std::string instance_name_, mount_path_, public_base_url_, gateway_version_;
  og_host_info info_{};

  // The last call's result, read by the host function that made it. Each thread's calls are
  // finished before it makes the next, but plugin threads call concurrently: the result is
  // kept per thread.
  static thread_local std::string result_;
  static thread_local WireReader rest_;

  std::mutex mu_;
  std::map<std::uint64_t, Callback> callbacks_;
  std::uint64_t next_callback_ = 1;
  struct Route {
    og_http_handler_fn fn;
    void* user;
  };
  std::vector<Route> routes_;
  std::vector<og_ws_handlers> ws_;
};

thread_local std::string ChildHost::result_;
thread_local WireReader ChildHost::rest_{std::string_view()};

std::string status_only(og_status status, std::string_view message = {}) {
  WireWriter w;
  w.i32(status);
  w.str(message);
  return w.take();
}

// ---- og_host_api in the plugin-host process: each function is a call to the gateway.

og_status refuse(og_error* err, const char* what) {
  write_error(err, OG_PERMANENT, std::string(what) + " is NULL or its struct_size is too small");
  return OG_PERMANENT;
}

// Encodes with `fill`; a malformed array the plugin gave is refused like the host refuses it.
template <class Fill>
og_status encode(og_error* err, Fill fill) {
  try {
    fill();
    return OG_OK;
  } catch (const WireError& e) {
    write_error(err, OG_PERMANENT, e.what());
    return OG_PERMANENT;
  }
}

// After a call that answers one value behind its status: on OG_OK, reads it into *out (when
// the plugin passed somewhere to put it).
template <class T>
og_status with_value(ChildHost& c, og_status status, T* out) {
  if (status != OG_OK) return status;
  T value;
  if constexpr (sizeof(T) == 8) {
    value = static_cast<T>(c.rest().u64());
  } else {
    value = static_cast<T>(c.rest().i32());
  }
  if (out != nullptr) *out = value;
  return status;
}

void h_log(og_host_ctx* ctx, og_log_level level, og_str message) {
  WireWriter w;
  w.i32(level);
  w.str(message);
  child_of(ctx).notify(HostMethod::log, w);
}

og_status h_register_http_route(og_host_ctx* ctx, og_str method, og_str path,
                                const og_route_options* options, og_http_handler_fn handler,
                                void* user, og_error* err) {
  auto o = make_abi_struct<og_route_options>();
  if (options != nullptr) {
    const auto given = read_abi_struct(options);
    if (!given) return refuse(err, "og_route_options");
    o = *given;
  }
  if (handler == nullptr) {
    write_error(err, OG_PERMANENT, "handler is NULL");
    return OG_PERMANENT;
  }
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(method);
  w.str(path);
  write_route_options(w, o);
  w.u64(c.add_route(handler, user));
  return c.call_status(HostMethod::register_http_route, w, err);
}

og_status h_register_ws_route(og_host_ctx* ctx, og_str path, const og_ws_handlers* handlers,
                              og_error* err) {
  const auto h = read_abi_struct(handlers);
  if (!h) return refuse(err, "og_ws_handlers");
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(path);
  w.u32((h->on_open ? 1u : 0u) | (h->on_message ? 2u : 0u) | (h->on_close ? 4u : 0u));
  w.u64(c.add_ws(*h));
  return c.call_status(HostMethod::register_ws_route, w, err);
}

og_status h_respond(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response,
                    og_error* err) {
  const auto r = read_abi_struct(response);
  if (!r) return refuse(err, "og_http_response");
  WireWriter w;
  w.u64(request_id);
  if (auto s = encode(err, [&] { write_http_response(w, *r); }); s != OG_OK) return s;
  http::Response checked;
  if (request_id != 0 && request_id == t_handling_request &&
      plugin_host::to_http_response(*r, checked).empty()) {
    w.u8(0);  // no answer expected
    child_of(ctx).notify(HostMethod::respond, w);
    return OG_OK;
  }
  w.u8(1);
  return child_of(ctx).call_status(HostMethod::respond, w, err);
}

// `check` is the host's own conversion into a store record (record_mapping.hpp): a submit it
// accepts inside the request's handler is accepted by the host too, and goes without waiting.
// Blob references cannot be checked here (the blobs are the gateway's): those wait.
template <class T, class Write, class Record>
og_status submit(og_host_ctx* ctx, HostMethod method, uint64_t request_id, const T* value,
                 const char* what, Write write,
                 std::string (*check)(const T&, const plugin_host::RecordSource&, Record&),
                 og_commit_fn done, void* user, og_error* err) {
  const auto v = read_abi_struct(value);
  if (!v) return refuse(err, what);
  auto& c = child_of(ctx);
  WireWriter w;
  w.u64(request_id);
  if (auto s = encode(err, [&] { write(w, *v); }); s != OG_OK) return s;
  const std::uint64_t cb = c.keep({erase_type(done), user});
  w.u64(cb);
  Record record;
  if (request_id != 0 && request_id == t_handling_request &&
      check(*v, c.record_source(), record).empty()) {
    w.u8(0);  // no answer expected
    c.notify(method, w);
    return OG_OK;
  }
  w.u8(1);
  const og_status status = c.call_status(method, w, err);
  if (status != OG_OK) c.forget(cb);
  return status;
}

og_status h_submit_inbound(og_host_ctx* ctx, uint64_t request_id, const og_inbound_message* message,
                           og_commit_fn done, void* user, og_error* err) {
  return submit(ctx, HostMethod::submit_inbound, request_id, message, "og_inbound_message",
                write_inbound_message, plugin_host::to_inbound_record, done, user, err);
}
og_status h_submit_delivery(og_host_ctx* ctx, uint64_t request_id, const og_delivery_report* report,
                            og_commit_fn done, void* user, og_error* err) {
  return submit(ctx, HostMethod::submit_delivery, request_id, report, "og_delivery_report",
                write_delivery_report, plugin_host::to_delivery_record, done, user, err);
}
og_status h_submit_event(og_host_ctx* ctx, uint64_t request_id, const og_channel_event* event,
                         og_commit_fn done, void* user, og_error* err) {
  return submit(ctx, HostMethod::submit_event, request_id, event, "og_channel_event",
                write_channel_event, plugin_host::to_channel_event_record, done, user, err);
}

void h_send_result(og_host_ctx* ctx, uint64_t ticket, const og_send_result* result) {
  const auto r = read_abi_struct(result);
  WireWriter w;
  w.u64(ticket);
  w.u8(r ? 1 : 0);
  if (r) write_send_result(w, *r);
  child_of(ctx).notify(HostMethod::send_result, w);
}

og_status h_ws_send(og_host_ctx* ctx, uint64_t conn_id, og_str data, int32_t is_text,
                    og_error* err) {
  WireWriter w;
  w.u64(conn_id);
  w.str(data);
  w.i32(is_text);
  return child_of(ctx).call_status(HostMethod::ws_send, w, err);
}

og_status h_ws_close(og_host_ctx* ctx, uint64_t conn_id, int32_t code, og_str reason) {
  WireWriter w;
  w.u64(conn_id);
  w.i32(code);
  w.str(reason);
  return child_of(ctx).call_status(HostMethod::ws_close, w, nullptr);
}

og_status h_set_timer(og_host_ctx* ctx, uint32_t delay_ms, uint64_t* timer_id, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.u32(delay_ms);
  return with_value(c, c.call_status(HostMethod::set_timer, w, err), timer_id);
}

void h_cancel_timer(og_host_ctx* ctx, uint64_t timer_id) {
  WireWriter w;
  w.u64(timer_id);
  child_of(ctx).notify(HostMethod::cancel_timer, w);
}

og_status h_http_fetch(og_host_ctx* ctx, const og_fetch_request* request, og_fetch_done_fn done,
                       void* user, uint64_t* fetch_id, og_error* err) {
  const auto r = read_abi_struct(request);
  if (!r) return refuse(err, "og_fetch_request");
  if (done == nullptr) {
    write_error(err, OG_PERMANENT, "done is NULL");
    return OG_PERMANENT;
  }
  auto& c = child_of(ctx);
  WireWriter w;
  if (auto s = encode(err, [&] { write_fetch_request(w, *r); }); s != OG_OK) return s;
  const std::uint64_t cb = c.keep({erase_type(done), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::http_fetch, w, err);
  if (status != OG_OK) c.forget(cb);
  return with_value(c, status, fetch_id);
}

og_status h_kv_get(og_host_ctx* ctx, og_str key, og_kv_visit_fn visit, void* user, int32_t* found,
                   og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(key);
  const std::uint64_t cb = c.keep({erase_type(visit), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::kv_get, w, err);
  c.forget(cb);
  return with_value(c, status, found);
}

og_status kv_write(og_host_ctx* ctx, HostMethod method, og_str key, const og_str* value,
                   og_kv_done_fn done, void* user, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(key);
  if (value != nullptr) w.str(*value);
  const std::uint64_t cb = c.keep({erase_type(done), user});
  w.u64(cb);
  const og_status status = c.call_status(method, w, err);
  if (status != OG_OK) c.forget(cb);
  return status;
}
og_status h_kv_put(og_host_ctx* ctx, og_str key, og_str value, og_kv_done_fn done, void* user,
                   og_error* err) {
  return kv_write(ctx, HostMethod::kv_put, key, &value, done, user, err);
}
og_status h_kv_delete(og_host_ctx* ctx, og_str key, og_kv_done_fn done, void* user, og_error* err) {
  return kv_write(ctx, HostMethod::kv_delete, key, nullptr, done, user, err);
}

og_status h_list_unsettled_sends(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                 int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                 void* user, int32_t* count, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.i64(sent_after_ms);
  w.i64(sent_before_ms);
  w.i64(after_id);
  w.i32(limit);
  const std::uint64_t cb = c.keep({erase_type(visit), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::list_unsettled_sends, w, err);
  c.forget(cb);
  return with_value(c, status, count);
}

og_status h_post(og_host_ctx* ctx, og_task_fn fn, void* user, og_error* err) {
  if (fn == nullptr) {
    write_error(err, OG_PERMANENT, "fn is NULL");
    return OG_PERMANENT;
  }
  auto& c = child_of(ctx);
  WireWriter w;
  const std::uint64_t cb = c.keep({erase_type(fn), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::post, w, err);
  if (status != OG_OK) c.forget(cb);
  return status;
}

const og_host_info* h_host_info(og_host_ctx* ctx) {
  return child_of(ctx).info();
}

og_status h_get_conversation(og_host_ctx* ctx, int64_t conversation_id,
                             og_conversation_visit_fn visit, void* user, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.i64(conversation_id);
  const std::uint64_t cb = c.keep({erase_type(visit), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::get_conversation, w, err);
  c.forget(cb);
  return status;
}

og_status h_blob_begin(og_host_ctx* ctx, uint64_t* writer_id, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  return with_value(c, c.call_status(HostMethod::blob_begin, w, err), writer_id);
}

og_status h_blob_write(og_host_ctx* ctx, uint64_t writer_id, og_str chunk, og_error* err) {
  WireWriter w;
  w.u64(writer_id);
  w.str(chunk);
  return child_of(ctx).call_status(HostMethod::blob_write, w, err);
}

og_status h_blob_finish(og_host_ctx* ctx, uint64_t writer_id, char* ref, size_t ref_capacity,
                        uint64_t* size, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.u64(writer_id);
  w.u64(ref_capacity);
  const og_status status = c.call_status(HostMethod::blob_finish, w, err);
  if (status == OG_OK) {
    const std::string_view r = c.rest().str();
    const std::uint64_t n = c.rest().u64();
    if (ref != nullptr && ref_capacity > r.size()) {
      std::memcpy(ref, r.data(), r.size());
      ref[r.size()] = '\0';
    }
    if (size != nullptr) *size = n;
  }
  return status;
}

void h_blob_abort(og_host_ctx* ctx, uint64_t writer_id) {
  WireWriter w;
  w.u64(writer_id);
  child_of(ctx).notify(HostMethod::blob_abort, w);
}

og_status h_blob_read(og_host_ctx* ctx, og_str ref, uint64_t offset, void* buffer, size_t capacity,
                      size_t* got, uint64_t* total, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(ref);
  w.u64(offset);
  w.u64(capacity);
  const og_status status = c.call_status(HostMethod::blob_read, w, err);
  if (status == OG_OK) {
    const std::string_view bytes = c.rest().str();
    const std::uint64_t t = c.rest().u64();
    const std::size_t n = std::min(bytes.size(), capacity);
    if (buffer != nullptr && n != 0) std::memcpy(buffer, bytes.data(), n);
    if (got != nullptr) *got = n;
    if (total != nullptr) *total = t;
  }
  return status;
}

og_status h_metric_register(og_host_ctx* ctx, og_metric_kind kind, og_str name, og_str help,
                            uint64_t* metric_id, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.i32(kind);
  w.str(name);
  w.str(help);
  return with_value(c, c.call_status(HostMethod::metric_register, w, err), metric_id);
}

void h_metric_record(og_host_ctx* ctx, uint64_t metric_id, double value) {
  WireWriter w;
  w.u64(metric_id);
  w.f64(value);
  child_of(ctx).notify(HostMethod::metric_record, w);
}

og_status h_signal(og_host_ctx* ctx, const og_conversation_signal* signal, og_error* err) {
  const auto s = plugin_host::read_abi_struct(signal);
  if (!s) return refuse(err, "og_conversation_signal");
  WireWriter w;
  w.i64(s->conversation_id);
  w.str(s->kind);
  w.str(s->data_json);
  return child_of(ctx).call_status(HostMethod::signal, w, err);
}

og_status h_channel_availability(og_host_ctx* ctx, const og_skill_requirement* skills,
                                 size_t skill_count, og_channel_availability* out, og_error* err) {
  if (out == nullptr || out->struct_size < sizeof(uint32_t))
    return refuse(err, "og_channel_availability");
  // Stepped by the plugin's element size here; the gateway gets them normalised.
  std::string array_error;
  const auto needs = plugin_host::read_abi_array(skills, skill_count, array_error);
  if (!needs) {
    write_error(err, OG_PERMANENT, "skills" + array_error);
    return OG_PERMANENT;
  }
  auto& c = child_of(ctx);
  WireWriter w;
  w.u64(needs->size());
  for (const auto& need : *needs) {
    w.str(need.skill);
    w.i32(need.min_level);
  }
  const og_status status = c.call_status(HostMethod::channel_availability, w, err);
  if (status != OG_OK) return status;
  auto answer = make_abi_struct<og_channel_availability>();
  answer.agents_online = c.rest().i32();
  answer.agents_free = c.rest().i32();
  answer.queued = c.rest().i32();
  answer.expected_wait_ms = c.rest().i64();
  // Caller-owned: written only as far as its struct_size covers, which it keeps.
  const uint32_t size = out->struct_size;
  std::memcpy(out, &answer, std::min<std::size_t>(size, sizeof answer));
  out->struct_size = size;
  return status;
}

og_status h_conversation_action(og_host_ctx* ctx, const og_conversation_action* action,
                                og_commit_fn done, void* user, og_error* err) {
  const auto a = read_abi_struct(action);
  if (!a) return refuse(err, "og_conversation_action");
  auto& c = child_of(ctx);
  WireWriter w;
  write_conversation_action(w, *a);
  const std::uint64_t cb = c.keep({erase_type(done), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::conversation_action, w, err);
  if (status != OG_OK) c.forget(cb);
  return status;
}

og_status h_customer_lookup(og_host_ctx* ctx, og_str kind, og_str address,
                            og_customer_visit_fn visit, void* user, og_error* err) {
  auto& c = child_of(ctx);
  WireWriter w;
  w.str(kind);
  w.str(address);
  const std::uint64_t cb = c.keep({erase_type(visit), user});
  w.u64(cb);
  const og_status status = c.call_status(HostMethod::customer_lookup, w, err);
  c.forget(cb);
  return status;
}

og_host_api ChildHost::make_table() {
  auto t = make_abi_struct<og_host_api>();
  t.abi_major = OG_ABI_MAJOR;
  t.abi_minor = OG_ABI_MINOR;
  t.log = h_log;
  t.register_http_route = h_register_http_route;
  t.register_ws_route = h_register_ws_route;
  t.respond = h_respond;
  t.submit_inbound = h_submit_inbound;
  t.submit_delivery = h_submit_delivery;
  t.submit_event = h_submit_event;
  t.send_result = h_send_result;
  t.ws_send = h_ws_send;
  t.ws_close = h_ws_close;
  t.set_timer = h_set_timer;
  t.cancel_timer = h_cancel_timer;
  t.http_fetch = h_http_fetch;
  t.kv_get = h_kv_get;
  t.kv_put = h_kv_put;
  t.kv_delete = h_kv_delete;
  t.list_unsettled_sends = h_list_unsettled_sends;
  t.post = h_post;
  t.host_info = h_host_info;
  t.get_conversation = h_get_conversation;
  t.blob_begin = h_blob_begin;
  t.blob_write = h_blob_write;
  t.blob_finish = h_blob_finish;
  t.blob_abort = h_blob_abort;
  t.blob_read = h_blob_read;
  t.metric_register = h_metric_register;
  t.metric_record = h_metric_record;
  t.signal = h_signal;
  t.channel_availability = h_channel_availability;
  t.conversation_action = h_conversation_action;
  t.customer_lookup = h_customer_lookup;
  return t;
}

// ---- the gateway's calls into the plugin

std::string ChildHost::load(WireReader& r) {
  const std::string file(r.str());
  auto loaded = plugin_host::load_plugin(file);
  WireWriter w;
  if (!loaded.plugin) {
    w.u8(0);
    w.str(loaded.error);
    return w.take();
  }
  plugin_ = std::move(loaded.plugin);
  const og_plugin_api& api = plugin_->api();
  w.u8(1);
  w.str(std::string_view());
  w.str(api.name);
  w.str(api.version);
  w.str(api.channel_kind);
  w.str(api.description ? api.description : "");
  w.str(api.config_schema_json ? api.config_schema_json : "");
  w.u32(api.abi_major);
  w.u32(api.abi_minor);
  std::uint32_t flags = 0;
  if (api.start) flags |= kHasStart;
  if (api.stop) flags |= kHasStop;
  if (api.on_timer) flags |= kHasOnTimer;
  if (api.lookup_send) flags |= kHasLookupSend;
  if (api.on_conversation) flags |= kHasOnConversation;
  if (api.on_command) flags |= kHasOnCommand;
  w.u32(flags);
  return w.take();
}

std::string ChildHost::create(WireReader& r) {
  if (!plugin_) throw WireError("create before load");
  instance_name_ = std::string(r.str());
  const std::string_view config = r.str();
  mount_path_ = std::string(r.str());
  public_base_url_ = std::string(r.str());
  gateway_version_ = std::string(r.str());
  info_ = make_abi_struct<og_host_info>();
  info_.instance_name = plugin_host::og_str_of(instance_name_);
  info_.mount_path = plugin_host::og_str_of(mount_path_);
  info_.public_base_url = plugin_host::og_str_of(public_base_url_);
  info_.gateway_version = plugin_host::og_str_of(gateway_version_);
  og_error err = OG_ERROR_INIT;
  const og_status status = plugin_->api().create(
      &table_, reinterpret_cast<og_host_ctx*>(&ctx_), plugin_host::og_str_of(instance_name_),
      og_str{config.data(), config.size()}, &instance_, &err);
  return status_only(status, status == OG_OK ? "" : err.message);
}

std::string ChildHost::handle(std::uint32_t method, std::string_view payload) {
  WireReader r(payload);
  WireArena arena;
  const og_plugin_api* api = plugin_ ? &plugin_->api() : nullptr;
  auto need_api = [&] {
    if (api == nullptr) throw WireError("call before load");
    return api;
  };
  switch (static_cast<PluginMethod>(method)) {
    case PluginMethod::load:
      return load(r);
    case PluginMethod::create:
      return create(r);
    case PluginMethod::start: {
      og_error err = OG_ERROR_INIT;
      const og_status s = need_api()->start ? api->start(instance_, &err) : OG_OK;
      return status_only(s, s == OG_OK ? "" : err.message);
    }
    case PluginMethod::stop:
      if (need_api()->stop) api->stop(instance_);
      return {};
    case PluginMethod::destroy:
      need_api()->destroy(instance_);
      instance_ = nullptr;
      return {};
    case PluginMethod::send_message: {
      const std::uint64_t ticket = r.u64();
      const auto message = read_outbound_message(r, arena);
      og_error err = OG_ERROR_INIT;
      const og_status s = need_api()->send_message(instance_, ticket, &message, &err);
      return status_only(s, s == OG_OK ? "" : err.message);
    }
    case PluginMethod::lookup_send: {
      const std::uint64_t ticket = r.u64();
      const auto message = read_outbound_message(r, arena);
      const auto lookup = read_send_lookup(r, arena);
      og_error err = OG_ERROR_INIT;
      if (need_api()->lookup_send == nullptr) return status_only(OG_DECLINE, "no lookup_send");
      const og_status s = api->lookup_send(instance_, ticket, &message, &lookup, &err);
      return status_only(s, s == OG_OK ? "" : err.message);
    }
    case PluginMethod::on_timer:
      if (need_api()->on_timer) api->on_timer(instance_, r.u64());
      return {};
    case PluginMethod::on_conversation: {
      const auto notice = read_conversation_notice(r, arena);
      if (need_api()->on_conversation) api->on_conversation(instance_, &notice);
      return {};
    }
    case PluginMethod::http_handler: {
      void* user = nullptr;
      const auto fn = route(r.u64(), user);
      const auto request = read_http_request(r, arena);
      t_handling_request = request.request_id;
      const og_status status = fn(user, &request);
      t_handling_request = 0;
      return status_only(status);
    }
    case PluginMethod::ws_open: {
      const auto h = ws(r.u64());
      const std::uint64_t conn = r.u64();
      const auto upgrade = read_http_request(r, arena);
      return status_only(h.on_open ? h.on_open(h.user, conn, &upgrade) : OG_OK);
    }
    case PluginMethod::ws_message: {
      const auto h = ws(r.u64());
      const std::uint64_t conn = r.u64();
      const og_str data = r.og();
      const std::int32_t is_text = r.i32();
      if (h.on_message) h.on_message(h.user, conn, data, is_text);
      return {};
    }
    case PluginMethod::ws_close: {
      const auto h = ws(r.u64());
      const std::uint64_t conn = r.u64();
      if (h.on_close) h.on_close(h.user, conn);
      return {};
    }
    case PluginMethod::commit_done: {
      const auto cb = take(r.u64());
      const og_status s = r.i32();
      const std::int64_t stored = r.i64();
      if (cb) restore_type<og_commit_fn>(cb->fn)(cb->user, s, stored);
      return {};
    }
    case PluginMethod::fetch_done: {
      const auto cb = take(r.u64());
      const std::uint64_t fetch = r.u64();
      const auto response = read_fetch_response(r, arena);
      if (cb) restore_type<og_fetch_done_fn>(cb->fn)(cb->user, fetch, &response);
      return {};
    }
    case PluginMethod::kv_visit: {
      const auto cb = take(r.u64(), /*erase=*/false);
      const og_str value = r.og();
      if (cb) restore_type<og_kv_visit_fn>(cb->fn)(cb->user, value);
      return {};
    }
    case PluginMethod::kv_done: {
      const auto cb = take(r.u64());
      const og_status s = r.i32();
      if (cb) restore_type<og_kv_done_fn>(cb->fn)(cb->user, s);
      return {};
    }
    case PluginMethod::task: {
      const auto cb = take(r.u64());
      const std::int32_t cancelled = r.i32();
      if (cb) restore_type<og_task_fn>(cb->fn)(cb->user, cancelled);
      return {};
    }
    case PluginMethod::unsettled_visit: {
      const auto cb = take(r.u64(), /*erase=*/false);
      const auto send = read_unsettled_send(r);
      if (cb) restore_type<og_unsettled_visit_fn>(cb->fn)(cb->user, &send);
      return {};
    }
    case PluginMethod::conversation_visit: {
      const auto cb = take(r.u64(), /*erase=*/false);
      const auto state = read_conversation_state(r);
      if (cb) restore_type<og_conversation_visit_fn>(cb->fn)(cb->user, &state);
      return {};
    }
    case PluginMethod::on_command: {
      const auto command = read_channel_command(r);
      og_error err = OG_ERROR_INIT;
      if (need_api()->on_command == nullptr) return status_only(OG_DECLINE, "no on_command");
      const og_status s = api->on_command(instance_, &command, &err);
      return status_only(s, s == OG_OK ? "" : err.message);
    }
    case PluginMethod::customer_visit: {
      const auto cb = take(r.u64(), /*erase=*/false);
      const auto customer = read_customer_info(r);
      if (cb) restore_type<og_customer_visit_fn>(cb->fn)(cb->user, &customer);
      return {};
    }
  }
  throw WireError("unknown method " + std::to_string(method));
}

}  // namespace

int run_plugin_host_process(int fd) {
  ChildHost host(fd);
  return host.run();
}

}  // namespace omnigate::plugin_process
