/* A plugin that uses every 2.0 host service once per route, so the fake host's tests
 * (test_fake_host.cpp) can drive each service through the C ABI exactly as a plugin calls it.
 *
 *   POST /post       a plugin thread post()s a task that submits the body as a message
 *   POST /defer      returns OG_PENDING; a posted task responds "deferred" later
 *   POST /bad-reply  responds with status 999 (refused) and logs the host's og_error
 *   POST /big        registered with route options (50 MiB, 30 s)
 *   GET  /info       answers instance|mount path|public base URL|gateway version (host_info)
 *   POST /kv         body "key=value": kv_put (completion logged), then kv_get → the reply
 *   POST /kv-delete  body "key": kv_delete (completion logged)
 *   POST /blob       writes the body as a blob in 3 chunks, submits it as an attachment,
 *                    answers the reference
 *   POST /blob-read  body: a reference; reads it back 4 bytes at a time → the reply
 *   POST /event      submit_event with a commit callback (logged)
 * Every request increments the counter probe_requests_total; on_conversation logs the notice
 * (with its 2.2 detail_json) and what get_conversation says. on_command (2.2) logs the command
 * and answers OG_OK for "recording.pause", OG_PERMANENT with a message otherwise. */
#include <omnigate/plugin_abi.h>

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct probe {
  const og_host_api* host;
  og_host_ctx* ctx;
  uint64_t requests_metric;
  uint64_t deferred_request;
  char thread_body[256];
} probe;

static og_str lit(const char* s) {
  og_str out = {s, strlen(s)};
  return out;
}
static og_str bytes(const char* p, size_t n) {
  og_str out = {p, n};
  return out;
}

static void logf_(probe* self, const char* fmt, ...) __attribute__((format(printf, 2, 3)));
static void logf_(probe* self, const char* fmt, ...) {
  char line[1024];
  va_list args;
  va_start(args, fmt);
  vsnprintf(line, sizeof line, fmt, args);
  va_end(args);
  self->host->log(self->ctx, OG_LOG_INFO, lit(line));
}

static og_status reply(probe* self, uint64_t request_id, int32_t status, og_str body) {
  og_http_response r;
  memset(&r, 0, sizeof r);
  r.struct_size = sizeof r;
  r.status = status;
  r.content_type = lit("text/plain");
  r.body = body;
  og_error err = OG_ERROR_INIT;
  og_status st = self->host->respond(self->ctx, request_id, &r, &err);
  if (st != OG_OK) logf_(self, "respond refused: %s", err.message);
  return st;
}

static og_inbound_message message_from(const char* sender, og_str body) {
  og_inbound_message m;
  memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  m.from_kind = lit("webchat");
  m.from_address = lit(sender);
  m.body_text = body;
  return m;
}

/* ---- post() from a plugin thread */
static void submit_task(void* user, int32_t cancelled) {
  probe* self = (probe*)user;
  if (cancelled) {
    logf_(self, "task cancelled");
    return;
  }
  og_inbound_message m = message_from("thread", lit(self->thread_body));
  og_error err = OG_ERROR_INIT;
  self->host->submit_inbound(self->ctx, 0, &m, NULL, NULL, &err);
}
static void* poster(void* user) {
  probe* self = (probe*)user;
  og_error err = OG_ERROR_INIT;
  if (self->host->post(self->ctx, &submit_task, self, &err) != OG_OK)
    logf_(self, "post refused: %s", err.message);
  return NULL;
}

/* ---- deferred reply */
static void late_reply(void* user, int32_t cancelled) {
  probe* self = (probe*)user;
  if (!cancelled) reply(self, self->deferred_request, 200, lit("deferred\n"));
}

/* ---- kv and commit completions */
static void kv_done(void* user, og_status status) {
  logf_((probe*)user, "kv done %d", (int)status);
}
static void kv_visit(void* user, og_str value) {
  char* out = (char*)user;
  snprintf(out, 256, "%.*s", (int)value.len, value.ptr ? value.ptr : "");
}
static void committed(void* user, og_status status, int64_t id) {
  logf_((probe*)user, "committed %d id %lld", (int)status, (long long)id);
}

static void conversation_visit(void* user, const og_conversation_state* raw) {
  og_conversation_state s;
  memset(&s, 0, sizeof s);
  memcpy(&s, raw, raw->struct_size < sizeof s ? raw->struct_size : sizeof s);
  logf_((probe*)user, "state %.*s position %d wait %lld", (int)s.status.len, s.status.ptr,
        (int)s.queue_position, (long long)s.expected_wait_ms);
}

static og_status handle(void* user, const og_http_request* req) {
  probe* self = (probe*)user;
  self->host->metric_record(self->ctx, self->requests_metric, 1.0);
  const og_str path = req->path;
  og_error err = OG_ERROR_INIT;
#define IS(p) (path.len == strlen(p) && memcmp(path.ptr, p, path.len) == 0)
  if (IS("/post")) {
    snprintf(self->thread_body, sizeof self->thread_body, "%.*s", (int)req->body.len,
             req->body.ptr ? req->body.ptr : "");
    pthread_t thread;
    if (pthread_create(&thread, NULL, &poster, self) != 0) return OG_INTERNAL;
    pthread_join(thread, NULL);
    return reply(self, req->request_id, 202, lit("posted\n"));
  }
  if (IS("/defer")) {
    self->deferred_request = req->request_id;
    if (self->host->post(self->ctx, &late_reply, self, &err) != OG_OK) return OG_INTERNAL;
    return OG_PENDING;
  }
  if (IS("/bad-reply")) {
    og_http_response r;
    memset(&r, 0, sizeof r);
    r.struct_size = sizeof r;
    r.status = 999;
    if (self->host->respond(self->ctx, req->request_id, &r, &err) != OG_OK)
      logf_(self, "refused: %s", err.message);
    return OG_OK;
  }
  if (IS("/big")) return reply(self, req->request_id, 200, lit("big\n"));
  if (IS("/info")) {
    const og_host_info* info = self->host->host_info(self->ctx);
    char body[512];
    int n = snprintf(body, sizeof body, "%.*s|%.*s|%.*s|%.*s", (int)info->instance_name.len,
                     info->instance_name.ptr, (int)info->mount_path.len, info->mount_path.ptr,
                     (int)info->public_base_url.len,
                     info->public_base_url.ptr ? info->public_base_url.ptr : "",
                     (int)info->gateway_version.len, info->gateway_version.ptr);
    return reply(self, req->request_id, 200, bytes(body, (size_t)n));
  }
  if (IS("/kv")) {
    const char* eq = memchr(req->body.ptr, '=', req->body.len);
    if (!eq) return OG_PERMANENT;
    og_str key = bytes(req->body.ptr, (size_t)(eq - req->body.ptr));
    og_str value = bytes(eq + 1, req->body.len - (size_t)(eq - req->body.ptr) - 1);
    if (self->host->kv_put(self->ctx, key, value, &kv_done, self, &err) != OG_OK) {
      logf_(self, "kv_put refused: %s", err.message);
      return OG_PERMANENT;
    }
    char got[256] = "";
    int32_t found = 0;
    self->host->kv_get(self->ctx, key, &kv_visit, got, &found, &err);
    return reply(self, req->request_id, 200, found ? lit(got) : lit("(missing)"));
  }
  if (IS("/kv-delete")) {
    if (self->host->kv_delete(self->ctx, req->body, &kv_done, self, &err) != OG_OK)
      return OG_PERMANENT;
    int32_t found = 1;
    self->host->kv_get(self->ctx, req->body, NULL, NULL, &found, &err);
    return reply(self, req->request_id, 200, found ? lit("still there") : lit("deleted"));
  }
  if (IS("/blob")) {
    uint64_t writer = 0;
    if (self->host->blob_begin(self->ctx, &writer, &err) != OG_OK) return OG_INTERNAL;
    const size_t third = req->body.len / 3;
    const size_t cuts[4] = {0, third, 2 * third, req->body.len};
    for (int i = 0; i < 3; ++i) {
      if (self->host->blob_write(self->ctx, writer,
                                 bytes(req->body.ptr + cuts[i], cuts[i + 1] - cuts[i]),
                                 &err) != OG_OK) {
        logf_(self, "blob_write refused: %s", err.message);
        return OG_PERMANENT;
      }
    }
    char ref[OG_BLOB_REF_MAX];
    uint64_t size = 0;
    if (self->host->blob_finish(self->ctx, writer, ref, sizeof ref, &size, &err) != OG_OK)
      return OG_INTERNAL;
    og_attachment a;
    memset(&a, 0, sizeof a);
    a.struct_size = sizeof a;
    a.filename = lit("recording.wav");
    a.content_type = lit("audio/wav");
    a.blob_ref = lit(ref);
    a.size = size;
    a.content_id = lit("rec1");
    a.disposition = lit("inline");
    og_inbound_message m = message_from("blobber", lit("with a blob"));
    m.attachments = &a;
    m.attachment_count = 1;
    self->host->submit_inbound(self->ctx, req->request_id, &m, NULL, NULL, &err);
    return reply(self, req->request_id, 200, lit(ref));
  }
  if (IS("/blob-read")) {
    char out[4096];
    size_t used = 0;
    uint64_t total = 0;
    for (;;) {
      size_t got = 0;
      og_status st =
          self->host->blob_read(self->ctx, req->body, used, out + used, 4, &got, &total, &err);
      if (st == OG_NOT_FOUND) return reply(self, req->request_id, 404, lit("no such blob\n"));
      if (st != OG_OK) return OG_INTERNAL;
      if (got == 0 || used + got + 4 > sizeof out) break;
      used += got;
    }
    return reply(self, req->request_id, 200, bytes(out, used));
  }
  if (IS("/event")) {
    og_channel_event e;
    memset(&e, 0, sizeof e);
    e.struct_size = sizeof e;
    e.kind = lit("call.answered");
    e.from_kind = lit("phone");
    e.from_address = lit("+441632960001");
    e.data_json = lit("{\"duration\":3}");
    self->host->submit_event(self->ctx, req->request_id, &e, &committed, self, &err);
    return OG_OK;
  }
#undef IS
  return OG_PERMANENT;
}

static void on_conversation(void* instance, const og_conversation_notice* raw) {
  probe* self = (probe*)instance;
  og_conversation_notice n;
  memset(&n, 0, sizeof n);
  memcpy(&n, raw, raw->struct_size < sizeof n ? raw->struct_size : sizeof n);
  const og_conversation_state* s = n.state;
  logf_(self, "notice %d conversation %lld agent %.*s contact %.*s previous %.*s", (int)n.change,
        (long long)s->conversation_id, (int)s->agent_display_name.len,
        s->agent_display_name.ptr ? s->agent_display_name.ptr : "", (int)s->agent_contact_json.len,
        s->agent_contact_json.ptr ? s->agent_contact_json.ptr : "", (int)n.previous_agent_id.len,
        n.previous_agent_id.ptr ? n.previous_agent_id.ptr : "");
  if (n.detail_json.len != 0) logf_(self, "detail %.*s", (int)n.detail_json.len, n.detail_json.ptr);
  og_error err = OG_ERROR_INIT;
  if (self->host->get_conversation(self->ctx, s->conversation_id, &conversation_visit, self,
                                   &err) != OG_OK)
    logf_(self, "get_conversation: %s", err.message);
}

static og_status on_command(void* instance, const og_channel_command* raw, og_error* err) {
  probe* self = (probe*)instance;
  og_channel_command c;
  memset(&c, 0, sizeof c);
  memcpy(&c, raw, raw->struct_size < sizeof c ? raw->struct_size : sizeof c);
  logf_(self, "command %.*s conversation %lld thread %.*s data %.*s agent %.*s", (int)c.command.len,
        c.command.ptr ? c.command.ptr : "", (long long)c.conversation_id, (int)c.thread_key.len,
        c.thread_key.ptr ? c.thread_key.ptr : "", (int)c.data_json.len,
        c.data_json.ptr ? c.data_json.ptr : "", (int)c.agent_id.len,
        c.agent_id.ptr ? c.agent_id.ptr : "");
  if (c.command.len == 15 && memcmp(c.command.ptr, "recording.pause", 15) == 0) return OG_OK;
  snprintf(err->message, sizeof err->message, "unknown command");
  err->status = OG_PERMANENT;
  return OG_PERMANENT;
}

static og_status create(const og_host_api* host, og_host_ctx* ctx, og_str name, og_str config,
                        void** instance, og_error* err) {
  (void)name;
  (void)config;
  probe* self = (probe*)calloc(1, sizeof *self);
  if (!self) return OG_INTERNAL;
  self->host = host;
  self->ctx = ctx;
  static const char* const kPaths[] = {"/post",      "/defer", "/bad-reply", "/info", "/kv",
                                       "/kv-delete", "/blob",  "/blob-read", "/event"};
  og_status st = OG_OK;
  for (size_t i = 0; i < sizeof kPaths / sizeof kPaths[0] && st == OG_OK; ++i)
    st = host->register_http_route(ctx, lit(i == 3 ? "GET" : "POST"), lit(kPaths[i]), NULL, &handle,
                                   self, err);
  og_route_options big;
  memset(&big, 0, sizeof big);
  big.struct_size = sizeof big;
  big.max_body_bytes = 50u << 20;
  big.respond_timeout_ms = 30000;
  if (st == OG_OK)
    st = host->register_http_route(ctx, lit("POST"), lit("/big"), &big, &handle, self, err);
  if (st == OG_OK)
    st = host->metric_register(ctx, OG_METRIC_COUNTER, lit("probe_requests_total"),
                               lit("requests the probe handled"), &self->requests_metric, err);
  if (st != OG_OK) {
    free(self);
    return st;
  }
  *instance = self;
  return OG_OK;
}

static void destroy(void* instance) {
  free(instance);
}

static og_status send_message(void* instance, uint64_t ticket, const og_outbound_message* m,
                              og_error* err) {
  (void)instance;
  (void)ticket;
  (void)m;
  (void)err;
  return OG_PERMANENT;
}

static const og_plugin_api kApi = {
    .struct_size = sizeof(og_plugin_api),
    .abi_major = OG_ABI_MAJOR,
    .abi_minor = 0,
    .name = "service_probe",
    .version = "1.0.0",
    .channel_kind = "probe",
    .create = &create,
    .destroy = &destroy,
    .send_message = &send_message,
    .on_conversation = &on_conversation,
    .on_command = &on_command,
};

OG_EXPORT const og_plugin_api* og_plugin_entry(void) {
  return &kApi;
}
