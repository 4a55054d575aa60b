/* A plain-C plugin for the ABI compatibility tests, built twice from this source: against the
 * frozen ABI 2.0 header (libog_compat_frozen.so: a plugin older than its host) and against a
 * grown copy in which every size-prefixed struct has one more field at its end
 * (libog_compat_grown.so: a plugin of a later 2.x, newer than its host). See
 * tests/abi/compat/CMakeLists.txt.
 *
 * It passes arrays of its own elements to the host (reply headers, an inbound message's
 * attachments and skills, fetch request headers) and reads the host's arrays (request headers,
 * fetch response headers, outbound attachments) with OG_ARRAY_AT, writing what it read into a
 * report (a reply body or a kv value) so that the tests can check every element. Built against
 * the grown header it also writes junk into every grown field it sends, which the host must
 * ignore, and checks with OG_HAS_FIELD that the host's structs do not have that field. */
#include <omnigate/plugin_abi.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#ifdef OG_COMPAT_GROWN_HEADER
/* What a newer sender puts in a field the receiver does not know. */
#define FILL_TAIL(s) \
  ((s).og_compat_grown_tail[0] = 0x4a554e4b4a554e4bull, (s).og_compat_grown_tail[1] = ~0ull)
#else
#define FILL_TAIL(s) ((void)0)
#endif

static const og_host_api* g_host;
static og_host_ctx* g_ctx;
static int g_instance;

static og_str lit(const char* s) {
  og_str out;
  out.ptr = s;
  out.len = strlen(s);
  return out;
}

static og_header header(const char* name, const char* value) {
  og_header h;
  memset(&h, 0, sizeof h);
  h.struct_size = sizeof h;
  h.name = lit(name);
  h.value = lit(value);
  FILL_TAIL(h);
  return h;
}

static og_error new_error(void) {
  og_error err = OG_ERROR_INIT;
  FILL_TAIL(err);
  return err;
}

/* ---------------------------------------------------------------- reports */

typedef struct report {
  char text[8192];
  size_t len;
} report;

__attribute__((format(printf, 2, 3))) static void add(report* r, const char* format, ...) {
  va_list args;
  int n;
  va_start(args, format);
  n = vsnprintf(r->text + r->len, sizeof r->text - r->len, format, args);
  va_end(args);
  if (n > 0)
    r->len += (size_t)n < sizeof r->text - r->len ? (size_t)n : sizeof r->text - r->len - 1;
}

static int as_int(size_t n) {
  return (int)n;
}

/* "element_size=<the sender's> own_size=<ours>" then one line per element. */
static void add_headers(report* r, const og_header* headers, size_t count) {
  size_t i;
  add(r, "header element_size=%u own_size=%u\n", count == 0 ? 0u : (unsigned)headers[0].struct_size,
      (unsigned)sizeof(og_header));
  for (i = 0; i < count; ++i) {
    const og_header* h = OG_ARRAY_AT(headers, og_header, i);
    add(r, "%.*s: %.*s", as_int(h->name.len), h->name.ptr, as_int(h->value.len), h->value.ptr);
#ifdef OG_COMPAT_GROWN_HEADER
    add(r, OG_HAS_FIELD(h, og_header, og_compat_grown_tail) ? " (tail present)" : " (tail absent)");
#endif
    add(r, "\n");
  }
}

static void respond_text(uint64_t request_id, int32_t status, const report* r,
                         const og_header* headers, size_t header_count) {
  og_http_response response;
  og_error err = new_error();
  memset(&response, 0, sizeof response);
  response.struct_size = sizeof response;
  response.status = status;
  response.content_type = lit("text/plain");
  response.body.ptr = r->text;
  response.body.len = r->len;
  response.headers = headers;
  response.header_count = header_count;
  FILL_TAIL(response);
  g_host->respond(g_ctx, request_id, &response, &err);
}

/* ---------------------------------------------------------------- POST /echo */

/* Reports the request headers and answers with each one echoed as X-Echo-<name>. */
static og_status echo(void* user, const og_http_request* request) {
  static char names[16][128];
  og_header replies[16];
  report r;
  size_t i, n = request->header_count < 16 ? request->header_count : 16;
  (void)user;
  r.len = 0;
  add(&r, "host_api size=%u own_size=%u\n", (unsigned)g_host->struct_size,
      (unsigned)sizeof(og_host_api));
  add(&r, "request size=%u own_size=%u\n", (unsigned)request->struct_size,
      (unsigned)sizeof(og_http_request));
#ifdef OG_COMPAT_GROWN_HEADER
  add(&r, "host_api tail %s\n",
      OG_HAS_FIELD(g_host, og_host_api, og_compat_grown_tail) ? "present" : "absent");
#endif
  add_headers(&r, request->headers, request->header_count);
  for (i = 0; i < n; ++i) {
    const og_header* h = OG_ARRAY_AT(request->headers, og_header, i);
    snprintf(names[i], sizeof names[i], "X-Echo-%.*s", as_int(h->name.len), h->name.ptr);
    replies[i] = header(names[i], "");
    replies[i].value = h->value;
  }
  respond_text(request->request_id, 200, &r, replies, n);
  return OG_OK;
}

/* ---------------------------------------------------------------- POST /inbound, /refused */

static og_inbound_message inbound_message(og_attachment attachments[3],
                                          og_skill_requirement skills[2]) {
  static const char* const files[3][4] = {
      {"a.txt", "text/plain", "alpha", ""},
      {"b.png", "image/png", "bravo-bytes", ""},
      {"c.mp4", "video/mp4", "", "https://media.example/c.mp4"}};
  og_inbound_message m;
  size_t i;
  for (i = 0; i < 3; ++i) {
    memset(&attachments[i], 0, sizeof attachments[i]);
    attachments[i].struct_size = sizeof attachments[i];
    attachments[i].filename = lit(files[i][0]);
    attachments[i].content_type = lit(files[i][1]);
    attachments[i].data = lit(files[i][2]);
    attachments[i].url = lit(files[i][3]);
    attachments[i].size = attachments[i].data.len;
    FILL_TAIL(attachments[i]);
  }
  for (i = 0; i < 2; ++i) {
    memset(&skills[i], 0, sizeof skills[i]);
    skills[i].struct_size = sizeof skills[i];
    skills[i].skill = lit(i == 0 ? "lang:en" : "billing");
    skills[i].min_level = i == 0 ? 2 : 4;
    FILL_TAIL(skills[i]);
  }
  memset(&m, 0, sizeof m);
  m.struct_size = sizeof m;
  m.provider_message_id = lit("compat-in-1");
  m.from_kind = lit("phone");
  m.from_address = lit("+15550002222");
  m.to_address = lit("+15550009999");
  m.body_text = lit("three attachments, two skills");
  m.attachments = attachments;
  m.attachment_count = 3;
  m.skills = skills;
  m.skill_count = 2;
  FILL_TAIL(m);
  return m;
}

/* Submits the message tied to the request; answers 202 with three headers once committed. */
static og_status inbound(void* user, const og_http_request* request) {
  og_attachment attachments[3];
  og_skill_requirement skills[2];
  const og_inbound_message m = inbound_message(attachments, skills);
  og_header replies[3];
  og_error err = new_error();
  report r;
  (void)user;
  r.len = 0;
  replies[0] = header("X-Reply-One", "1");
  replies[1] = header("X-Reply-Two", "22");
  replies[2] = header("X-Reply-Three", "333");
  if (g_host->submit_inbound(g_ctx, request->request_id, &m, NULL, NULL, &err) != OG_OK) {
    add(&r, "submit refused: %s\n", err.message);
    respond_text(request->request_id, 500, &r, NULL, 0);
    return OG_OK;
  }
  add(&r, "queued\n");
  respond_text(request->request_id, 202, &r, replies, 3);
  return OG_OK;
}

/* Submits (untied) a message whose second skill is invalid; reports the host's og_error. */
static og_status refused(void* user, const og_http_request* request) {
  og_attachment attachments[3];
  og_skill_requirement skills[2];
  og_inbound_message m = inbound_message(attachments, skills);
  og_error err = new_error();
  og_status status;
  report r;
  (void)user;
  r.len = 0;
  skills[1].min_level = 9;
  m.provider_message_id = lit("compat-in-refused");
  status = g_host->submit_inbound(g_ctx, 0, &m, NULL, NULL, &err);
  add(&r, "status=%d error_status=%d message=%s\n", (int)status, (int)err.status, err.message);
#ifdef OG_COMPAT_GROWN_HEADER
  add(&r, "error tail %s\n",
      err.og_compat_grown_tail[0] == 0x4a554e4b4a554e4bull && err.og_compat_grown_tail[1] == ~0ull
          ? "kept"
          : "overwritten");
#endif
  respond_text(request->request_id, 200, &r, NULL, 0);
  return OG_OK;
}

/* ---------------------------------------------------------------- POST /fetch (body: URL) */

static void fetched(void* user, uint64_t fetch_id, const og_fetch_response* response) {
  report r;
  og_error err = new_error();
  (void)user;
  (void)fetch_id;
  r.len = 0;
  add(&r, "status=%d error=%.*s\n", (int)response->http_status, as_int(response->error.len),
      response->error.ptr);
  add_headers(&r, response->headers, response->header_count);
  g_host->kv_put(g_ctx, lit("fetch"), (og_str){r.text, r.len}, NULL, NULL, &err);
}

static og_status fetch(void* user, const og_http_request* request) {
  og_header headers[2];
  og_fetch_request f;
  og_error err = new_error();
  uint64_t id = 0;
  (void)user;
  headers[0] = header("X-Compat-A", "alpha");
  headers[1] = header("X-Compat-B", "bravo");
  memset(&f, 0, sizeof f);
  f.struct_size = sizeof f;
  f.method = lit("GET");
  f.url = request->body;
  f.headers = headers;
  f.header_count = 2;
  f.flags = OG_FETCH_ALLOW_PRIVATE;
  FILL_TAIL(f);
  if (g_host->http_fetch(g_ctx, &f, fetched, NULL, &id, &err) != OG_OK) {
    report r;
    r.len = 0;
    add(&r, "fetch refused: %s\n", err.message);
    respond_text(request->request_id, 500, &r, NULL, 0);
  }
  return OG_OK;
}

/* ---------------------------------------------------------------- lifecycle and sends */

static og_status create(const og_host_api* host, og_host_ctx* ctx, og_str name, og_str config,
                        void** instance, og_error* err) {
  static const char* const paths[4] = {"/echo", "/inbound", "/refused", "/fetch"};
  static const og_http_handler_fn handlers[4] = {echo, inbound, refused, fetch};
  og_route_options options;
  og_error own = new_error();
  size_t i;
  (void)name;
  (void)config;
  (void)err;
  g_host = host;
  g_ctx = ctx;
  memset(&options, 0, sizeof options);
  options.struct_size = sizeof options;
  FILL_TAIL(options);
  for (i = 0; i < 4; ++i) {
    if (host->register_http_route(ctx, lit("POST"), lit(paths[i]), &options, handlers[i], NULL,
                                  &own) != OG_OK) {
      return OG_INTERNAL;
    }
  }
  *instance = &g_instance;
  return OG_OK;
}

static void destroy(void* instance) {
  (void)instance;
}

/* Reports the outbound attachments (kv "outbound") and answers the send as delivered. */
static og_status send_message(void* instance, uint64_t ticket, const og_outbound_message* message,
                              og_error* err) {
  og_send_result result;
  og_error own = new_error();
  report r;
  size_t i;
  (void)instance;
  (void)err;
  r.len = 0;
  add(&r, "attachment element_size=%u own_size=%u\n",
      message->attachment_count == 0 ? 0u : (unsigned)message->attachments[0].struct_size,
      (unsigned)sizeof(og_attachment));
  for (i = 0; i < message->attachment_count; ++i) {
    const og_attachment* a = OG_ARRAY_AT(message->attachments, og_attachment, i);
    add(&r, "%.*s|%.*s|%.*s|%.*s", as_int(a->filename.len), a->filename.ptr,
        as_int(a->content_type.len), a->content_type.ptr, as_int(a->data.len), a->data.ptr,
        as_int(a->url.len), a->url.ptr);
#ifdef OG_COMPAT_GROWN_HEADER
    add(&r, OG_HAS_FIELD(a, og_attachment, og_compat_grown_tail) ? " (tail present)"
                                                                 : " (tail absent)");
#endif
    add(&r, "\n");
  }
  g_host->kv_put(g_ctx, lit("outbound"), (og_str){r.text, r.len}, NULL, NULL, &own);
  memset(&result, 0, sizeof result);
  result.struct_size = sizeof result;
  result.status = OG_OK;
  result.provider_message_id = lit("compat-sent");
  FILL_TAIL(result);
  g_host->send_result(g_ctx, ticket, &result);
  return OG_OK;
}

OG_EXPORT const og_plugin_api* og_plugin_entry(void) {
  static og_plugin_api api;
  memset(&api, 0, sizeof api);
  api.struct_size = sizeof api;
  api.abi_major = OG_ABI_MAJOR;
  api.abi_minor = 0; /* it needs nothing newer than 2.0, whichever header it was built with */
  api.name = "compat";
  api.version = "1.0.0";
  api.channel_kind = "compat";
  api.description = "ABI compatibility fixture";
  api.config_schema_json = "{\"type\":\"object\"}";
  api.create = create;
  api.destroy = destroy;
  api.send_message = send_message;
  FILL_TAIL(api);
  return &api;
}
