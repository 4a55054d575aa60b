#include "plugin_host/host_api.hpp"

#include "core/log.hpp"
#include "plugin_host/abi_struct.hpp"
#include "plugin_host/blob_streams.hpp"
#include "plugin_host/conversation_notices.hpp"
#include "plugin_host/host_call.hpp"
#include "plugin_host/live_services.hpp"
#include "plugin_host/plugin_instance.hpp"

#include <string>

namespace omnigate::plugin_host {
namespace {

og_status struct_error(std::string& message, const char* what) {
  message = std::string(what) + " is NULL or its struct_size is too small";
  return OG_PERMANENT;
}

void host_log(og_host_ctx* ctx, og_log_level level, og_str message) {
  host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    inst.log(level, view_of(message));
    return OG_OK;
  });
}

og_status host_register_http_route(og_host_ctx* ctx, og_str method, og_str path,
                                   const og_route_options* options, og_http_handler_fn handler,
                                   void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& message) {
    auto o = make_abi_struct<og_route_options>();
    if (options != nullptr) {
      const auto given = read_abi_struct(options);
      if (!given) return struct_error(message, "og_route_options");
      o = *given;
    }
    return inst.register_http_route(view_of(method), view_of(path), o, handler, user, message);
  });
}

og_status host_register_ws_route(og_host_ctx* ctx, og_str path, const og_ws_handlers* handlers,
                                 og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& message) {
    const auto h = read_abi_struct(handlers);
    if (!h) return struct_error(message, "og_ws_handlers");
    return inst.register_ws_route(view_of(path), *h, message);
  });
}

// A refused reply is also logged with its reason, and the request answered 500.
og_status host_respond(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response,
                       og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.respond(request_id, response, error);
  });
}

og_status host_submit_inbound(og_host_ctx* ctx, uint64_t request_id,
                              const og_inbound_message* message, og_commit_fn done, void* user,
                              og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto m = read_abi_struct(message);
    if (!m) return struct_error(error, "og_inbound_message");
    return inst.submit_inbound(request_id, *m, done, user, error);
  });
}

og_status host_submit_delivery(og_host_ctx* ctx, uint64_t request_id,
                               const og_delivery_report* report, og_commit_fn done, void* user,
                               og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto r = read_abi_struct(report);
    if (!r) return struct_error(error, "og_delivery_report");
    return inst.submit_delivery(request_id, *r, done, user, error);
  });
}

og_status host_submit_event(og_host_ctx* ctx, uint64_t request_id, const og_channel_event* event,
                            og_commit_fn done, void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto e = read_abi_struct(event);
    if (!e) return struct_error(error, "og_channel_event");
    return inst.submit_event(request_id, *e, done, user, error);
  });
}

void host_send_result(og_host_ctx* ctx, uint64_t ticket, const og_send_result* result) {
  host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    auto r = read_abi_struct(result);
    if (!r) {
      // The ticket must still complete, or the outbox row would wait for the send timeout.
      r = make_abi_struct<og_send_result>();
      r->status = OG_INTERNAL;
      r->error_text = og_str_of("send_result struct is NULL or too small");
    }
    inst.send_result(ticket, *r);
    return OG_OK;
  });
}

og_status host_ws_send(og_host_ctx* ctx, uint64_t conn_id, og_str data, int32_t is_text,
                       og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.ws_send(conn_id, view_of(data), is_text != 0, error);
  });
}

og_status host_ws_close(og_host_ctx* ctx, uint64_t conn_id, int32_t code, og_str reason) {
  return host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    return inst.ws_close(conn_id, code, view_of(reason));
  });
}

og_status host_set_timer(og_host_ctx* ctx, uint32_t delay_ms, uint64_t* timer_id, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (timer_id == nullptr) {
      error = "timer_id is NULL";
      return OG_PERMANENT;
    }
    return inst.set_timer(delay_ms, *timer_id, error);
  });
}

void host_cancel_timer(og_host_ctx* ctx, uint64_t timer_id) {
  host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    inst.cancel_timer(timer_id);
    return OG_OK;
  });
}

og_status host_http_fetch(og_host_ctx* ctx, const og_fetch_request* request, og_fetch_done_fn done,
                          void* user, uint64_t* fetch_id, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    const auto r = read_abi_struct(request);
    if (!r) return struct_error(error, "og_fetch_request");
    uint64_t id = 0;
    const og_status status = inst.http_fetch(*r, done, user, id, error);
    if (fetch_id != nullptr) *fetch_id = id;
    return status;
  });
}

og_status host_kv_get(og_host_ctx* ctx, og_str key, og_kv_visit_fn visit, void* user,
                      int32_t* found, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    bool was_found = false;
    const og_status status = inst.kv_get(view_of(key), visit, user, was_found, error);
    if (found != nullptr) *found = was_found ? 1 : 0;
    return status;
  });
}

og_status host_kv_put(og_host_ctx* ctx, og_str key, og_str value, og_kv_done_fn done, void* user,
                      og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.kv_put(view_of(key), view_of(value), done, user, error);
  });
}

og_status host_kv_delete(og_host_ctx* ctx, og_str key, og_kv_done_fn done, void* user,
                         og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.kv_delete(view_of(key), done, user, error);
  });
}

og_status host_list_unsettled_sends(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                    int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                    void* user, int32_t* count, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    int32_t visited = 0;
    const og_status status = inst.list_unsettled_sends(sent_after_ms, sent_before_ms, after_id,
                                                       limit, visit, user, visited, error);
    if (count != nullptr) *count = visited;
    return status;
  });
}

og_status host_post(og_host_ctx* ctx, og_task_fn fn, void* user, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    return inst.post(fn, user, error);
  });
}

const og_host_info* host_host_info(og_host_ctx* ctx) {
  if (ctx == nullptr || ctx->instance == nullptr) return nullptr;
  return ctx->instance->host_info();
}

og_status host_metric_register(og_host_ctx* ctx, og_metric_kind kind, og_str name, og_str help,
                               uint64_t* metric_id, og_error* err) {
  return host_call(ctx, err, [&](PluginInstance& inst, std::string& error) {
    if (metric_id == nullptr) {
      error = "metric_id is NULL";
      return OG_PERMANENT;
    }
    return inst.metric_register(kind, view_of(name), view_of(help), *metric_id, error);
  });
}

void host_metric_record(og_host_ctx* ctx, uint64_t metric_id, double value) {
  host_call(ctx, nullptr, [&](PluginInstance& inst, std::string&) {
    inst.metric_record(metric_id, value);
    return OG_OK;
  });
}

og_host_api make_table() {
  auto api = make_abi_struct<og_host_api>();
  api.abi_major = OG_ABI_MAJOR;
  api.abi_minor = OG_ABI_MINOR;
  api.log = &host_log;
  api.register_http_route = &host_register_http_route;
  api.register_ws_route = &host_register_ws_route;
  api.respond = &host_respond;
  api.submit_inbound = &host_submit_inbound;
  api.submit_delivery = &host_submit_delivery;
  api.submit_event = &host_submit_event;
  api.send_result = &host_send_result;
  api.ws_send = &host_ws_send;
  api.ws_close = &host_ws_close;
  api.set_timer = &host_set_timer;
  api.cancel_timer = &host_cancel_timer;
  api.http_fetch = &host_http_fetch;
  api.kv_get = &host_kv_get;
  api.kv_put = &host_kv_put;
  api.kv_delete = &host_kv_delete;
  api.list_unsettled_sends = &host_list_unsettled_sends;
  api.post = &host_post;
  api.host_info = &host_host_info;
  api.metric_register = &host_metric_register;
  api.metric_record = &host_metric_record;
  install_blob_functions(api);
  install_conversation_functions(api);
  install_live_functions(api);
  return api;
}

}  // namespace

const og_host_api* host_api_table() {
  static const og_host_api table = make_table();
  return &table;
}

}  // namespace omnigate::plugin_host
