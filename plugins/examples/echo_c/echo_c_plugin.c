/* The plugin guide's echo example in plain C11, against plugin_abi.h alone (docs/plugin-guide.md
 * §10): what the C++ wrapper does for a plugin, done by hand.
 *
 * Inbound: POST /channels/<instance>/messages with the customer's text as the body and the
 * headers X-Echo-From (who writes) and X-Echo-Message-Id (the provider's id, for dedupe). The
 * message is submitted tied to the request, so the host sends our 200 only once it is stored.
 * Outbound: an agent's reply is "delivered" into the log and reported sent at once, with a
 * provider id derived from the idempotency key. */
#include <omnigate/plugin_abi.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The instance: what create() allocates and destroy() frees. The host's table and context stay
 * valid until destroy() returns, so keeping the pointers is allowed. */
typedef struct echo_c {
  const og_host_api* host;
  og_host_ctx* ctx;
} echo_c;

static og_str lit(const char* s) {
  og_str out = {s, strlen(s)};
  return out;
}

/* Writes into the caller's og_error only as much as its struct_size says it holds. */
static void set_error(og_error* err, og_status status, const char* message) {
  if (err == NULL || err->struct_size < offsetof(og_error, message) + 1) return;
  err->status = status;
  size_t room = err->struct_size - offsetof(og_error, message);
  if (room > OG_ERROR_MESSAGE_MAX) room = OG_ERROR_MESSAGE_MAX;
  snprintf(err->message, room, "%s", message);
}

static int ascii_iequals(og_str a, const char* b) {
  size_t n = strlen(b);
  if (a.len != n) return 0;
  for (size_t i = 0; i < n; ++i) {
    char x = a.ptr[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = (char)(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = (char)(y - 'A' + 'a');
    if (x != y) return 0;
  }
  return 1;
}

/* The request's header array is stepped by the host's element size (OG_ARRAY_AT), never by
 * this plugin's sizeof(og_header): a newer host may send larger elements. */
static og_str find_header(const og_http_request* request, const char* name) {
  og_str none = {NULL, 0};
  for (size_t i = 0; i < request->header_count; ++i) {
    const og_header* h = OG_ARRAY_AT(request->headers, og_header, i);
    if (ascii_iequals(h->name, name)) return h->value;
  }
  return none;
}

static og_status reply(echo_c* self, uint64_t request_id, int32_t status, const char* body) {
  og_http_response response;
  memset(&response, 0, sizeof response);
  response.struct_size = sizeof response;
  response.status = status;
  response.content_type = lit("text/plain");
  response.body = lit(body);
  og_error err = OG_ERROR_INIT;
  if (self->host->respond(self->ctx, request_id, &response, &err) != OG_OK) {
    self->host->log(self->ctx, OG_LOG_ERROR, lit(err.message));
    return OG_INTERNAL;
  }
  return OG_OK;
}

static og_status receive(void* user, const og_http_request* request) {
  echo_c* self = (echo_c*)user;
  /* The request may come from a newer host with a larger struct: read only what we know. */
  og_str from = find_header(request, "X-Echo-From");
  if (from.len == 0)
    return reply(self, request->request_id, 400, "X-Echo-From header is required\n");

  og_inbound_message message;
  memset(&message, 0, sizeof message);
  message.struct_size = sizeof message;
  message.provider_message_id = find_header(request, "X-Echo-Message-Id");
  message.from_kind = lit("webchat");
  message.from_address = from;
  message.body_text = request->body;
  message.raw = request->body;
  og_error err = OG_ERROR_INIT;
  /* Tied to request_id: the host holds the reply below until this message is durable. */
  og_status st =
      self->host->submit_inbound(self->ctx, request->request_id, &message, NULL, NULL, &err);
  if (st != OG_OK) {
    char body[OG_ERROR_MESSAGE_MAX + 2];
    snprintf(body, sizeof body, "%s\n", err.message);
    return reply(self, request->request_id, st == OG_RETRY ? 503 : 400, body);
  }
  return reply(self, request->request_id, 200, "stored\n");
}

static og_status create(const og_host_api* host, og_host_ctx* ctx, og_str instance_name,
                        og_str config_json, void** instance, og_error* err) {
  (void)instance_name;
  (void)config_json; /* no settings; the host has already checked it against kConfigSchema */
  /* A host of another major never calls us (it checks og_plugin_api.abi_major), and every
   * function used here is 2.0, so no OG_HAS_FIELD probe is needed. */
  echo_c* self = (echo_c*)calloc(1, sizeof *self);
  if (self == NULL) {
    set_error(err, OG_INTERNAL, "out of memory");
    return OG_INTERNAL;
  }
  self->host = host;
  self->ctx = ctx;
  og_status st =
      host->register_http_route(ctx, lit("POST"), lit("/messages"), NULL, &receive, self, err);
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

static og_status send_message(void* instance, uint64_t ticket, const og_outbound_message* raw,
                              og_error* err) {
  echo_c* self = (echo_c*)instance;
  /* Copy by the host's struct_size into a zeroed struct: fields it did not send read as 0. */
  og_outbound_message message;
  memset(&message, 0, sizeof message);
  memcpy(&message, raw, raw->struct_size < sizeof message ? raw->struct_size : sizeof message);
  if (message.idempotency_key.len > 200) {
    set_error(err, OG_PERMANENT, "idempotency key too long");
    return OG_PERMANENT;
  }
  char line[512];
  snprintf(line, sizeof line, "reply to %.*s: %.*s", (int)message.to_address.len,
           message.to_address.ptr ? message.to_address.ptr : "", (int)message.body_text.len,
           message.body_text.ptr ? message.body_text.ptr : "");
  self->host->log(self->ctx, OG_LOG_INFO, lit(line));

  char provider_id[256];
  snprintf(provider_id, sizeof provider_id, "echo_c-%.*s", (int)message.idempotency_key.len,
           message.idempotency_key.ptr ? message.idempotency_key.ptr : "");
  og_send_result result;
  memset(&result, 0, sizeof result);
  result.struct_size = sizeof result;
  result.status = OG_OK;
  result.provider_message_id = lit(provider_id);
  self->host->send_result(self->ctx, ticket, &result);
  return OG_OK;
}

/* No settings: the gateway refuses any key in [plugins.config]. */
static const char kConfigSchema[] =
    "{\"$schema\": \"http://json-schema.org/draft-07/schema#\","
    " \"type\": \"object\", \"additionalProperties\": false}";

/* The plugin's description: static, constant, and owned by the plugin while it is loaded. */
static const og_plugin_api kApi = {
    .struct_size = sizeof(og_plugin_api),
    .abi_major = OG_ABI_MAJOR,
    .abi_minor = 0, /* the minor this plugin NEEDS: everything used here is in 2.0 */
    .name = "echo_c",
    .version = "1.0.0",
    .channel_kind = "echo_c",
    .description = "Example plugin in C: stores POSTed text, logs replies",
    .config_schema_json = kConfigSchema,
    .create = &create,
    .destroy = &destroy,
    .send_message = &send_message,
};

/* The one exported symbol (the linker version script of og_add_plugin hides everything else). */
OG_EXPORT const og_plugin_api* og_plugin_entry(void) {
  return &kApi;
}
