/*
 * omnigate plugin ABI v1 — the only contract between the gateway and a channel plugin.
 *
 * Pure C so that any compiler (and any language with a C FFI) can build a plugin, and so that
 * nothing C++ (no std::string, no exceptions, no vtables) ever crosses the boundary.
 * Read plugins/sdk/ABI.md for the full rules; in short:
 *
 *  - One exported symbol: og_plugin_entry(). The host dlopen()s with RTLD_NOW | RTLD_LOCAL.
 *  - Every struct starts with `struct_size` and is append-only. A reader copies
 *    min(struct_size, sizeof(its own struct)) into a zeroed struct, so old and new sides
 *    interoperate: fields a side does not know read as zero.
 *  - Strings are og_str {ptr, len}: NOT NUL-terminated, BORROWED for the duration of the call.
 *    The receiver copies what it keeps. Nobody frees memory allocated on the other side.
 *  - Errors come back in a caller-owned og_error.
 *  - Later references are ids (request id, connection id, send ticket, timer id, fetch id),
 *    never pointers. The host ignores stale ids.
 *  - Threading: every callback into one plugin instance runs on that instance's strand —
 *    never concurrently with another callback of the same instance. Callbacks must not block.
 *    Each host function below says whether it may be called from "any thread" or only from
 *    inside a callback ("callback only").
 */
#ifndef OMNIGATE_PLUGIN_ABI_H
#define OMNIGATE_PLUGIN_ABI_H

#include <stddef.h>
#include <stdint.h>

#define OG_ABI_MAJOR 1
#define OG_ABI_MINOR 1

#if defined(__GNUC__) || defined(__clang__)
#define OG_EXPORT __attribute__((visibility("default")))
#else
#define OG_EXPORT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- basic types */

/* A borrowed byte string: valid only for the duration of the call it is passed to. */
typedef struct og_str {
  const char* ptr; /* may be NULL when len == 0 */
  size_t len;
} og_str;

/* Status codes. Fixed-width, never an enum, so the size is the same on every compiler. */
typedef int32_t og_status;
#define OG_OK 0
#define OG_DECLINE 1   /* plugin chooses not to run (e.g. disabled); gateway goes on without it */
#define OG_CONFIG 2    /* configuration error; og_error.message names the key */
#define OG_RETRY 3     /* transient failure; the caller may retry later */
#define OG_PERMANENT 4 /* permanent failure; retrying will not help */
#define OG_INTERNAL 5  /* bug or unexpected state (e.g. an exception caught at the boundary) */
#define OG_NOT_FOUND 6 /* 1.1: lookup_send's answer "the provider has no such message" */

/* Caller-owned error report. The callee writes a NUL-terminated message (truncated to fit). */
#define OG_ERROR_MESSAGE_MAX 512
typedef struct og_error {
  og_status status;
  char message[OG_ERROR_MESSAGE_MAX];
} og_error;

typedef int32_t og_log_level;
#define OG_LOG_DEBUG 0
#define OG_LOG_INFO 1
#define OG_LOG_WARN 2
#define OG_LOG_ERROR 3

typedef struct og_header {
  og_str name;
  og_str value;
} og_header;

/* Opaque handle to the host's per-instance state. Owned by the host; valid from the
 * create() call that receives it until destroy() returns. */
typedef struct og_host_ctx og_host_ctx;

/* ---------------------------------------------------------------- HTTP (inbound webhooks) */

/* An HTTP request routed to a plugin. Every field is borrowed for the handler call. */
typedef struct og_http_request {
  uint32_t struct_size;
  uint64_t request_id;   /* pass to respond()/submit_*() so the host ties commits to this reply */
  og_str method;         /* "GET", "POST", ... */
  og_str target;         /* path + "?" + query exactly as received, e.g. "/channels/sms/sms?x=1" */
  og_str path;           /* decoded path below the mount: "/sms" for "/channels/<inst>/sms" */
  og_str query;          /* raw query string without "?" (may be empty) */
  const og_header* headers; /* array of header_count entries, names as received */
  size_t header_count;
  og_str body;
  og_str remote_addr;    /* peer IP address as text */
} og_http_request;

/* The reply a plugin gives. Passed to og_host_api.respond(), which copies it at once. */
typedef struct og_http_response {
  uint32_t struct_size;
  int32_t status;        /* HTTP status code */
  og_str content_type;
  og_str body;
  const og_header* headers; /* extra headers; array of header_count */
  size_t header_count;
} og_http_response;

/* Route handler. Runs on the instance strand. Call host->respond() before returning; the host
 * sends that reply only after every submit_*() made with this request_id has been committed
 * (a failed commit turns the reply into 503 so the provider retries). If the handler returns
 * without responding, the host answers by status: OK → 204, PERMANENT → 400, RETRY → 503,
 * anything else → 500. `user` is the pointer given at registration, owned by the plugin. */
typedef og_status (*og_http_handler_fn)(void* user, const og_http_request* request);

/* ---------------------------------------------------------------- WebSocket */

typedef struct og_ws_handlers {
  uint32_t struct_size;
  void* user; /* plugin-owned; passed back to every handler */
  /* Upgrade request arrived. Return OG_OK to accept; anything else rejects it with 403. */
  og_status (*on_open)(void* user, uint64_t conn_id, const og_http_request* upgrade);
  /* One complete message (text when is_text != 0). */
  void (*on_message)(void* user, uint64_t conn_id, og_str data, int32_t is_text);
  /* The connection is gone; conn_id is stale from now on. Optional. */
  void (*on_close)(void* user, uint64_t conn_id);
} og_ws_handlers;

/* ---------------------------------------------------------------- normalised messages */

typedef struct og_attachment {
  uint32_t struct_size;
  og_str filename;     /* as the sender named it: metadata only, NEVER used as a path */
  og_str content_type;
  og_str data;         /* the bytes, when the plugin has them (stored content-addressed) */
  og_str url;          /* remote location when the bytes were not fetched (e.g. MMS media) */
} og_attachment;

typedef struct og_skill_requirement {
  og_str skill;        /* e.g. "lang:en", "billing" */
  int32_t min_level;   /* proficiency 1..5 */
} og_skill_requirement;

#define OG_INBOUND_MALFORMED 0x1 /* content could not be parsed; `raw` holds it verbatim */

/* What a customer sent, normalised. */
typedef struct og_inbound_message {
  uint32_t struct_size;
  og_str provider_message_id; /* provider's id; UNIQUE per instance: retries are deduplicated */
  og_str from_kind;           /* identity kind: "phone", "email", "webchat", "voice", ... */
  og_str from_address;        /* phone (host normalises to E.164), e-mail, session id, ... */
  og_str from_name;           /* display name if known */
  og_str to_address;          /* our address the customer wrote to (number, mailbox) */
  og_str thread_key;          /* conversation key within the instance (number pair, Message-ID
                                 root, chat session, call id); empty = one thread per customer */
  og_str subject;
  og_str body_text;
  og_str body_html;
  const og_attachment* attachments;
  size_t attachment_count;
  const og_skill_requirement* skills; /* skills this conversation needs (may be empty) */
  size_t skill_count;
  int32_t priority;           /* 1..4 (P1..P4); 0 = let the routing policy decide */
  int32_t flags;              /* OG_INBOUND_* */
  int64_t sent_at_ms;         /* provider's timestamp (Unix ms), 0 = unknown */
  og_str raw;                 /* raw payload, kept for audit; required when MALFORMED */
  og_str metadata_json;       /* provider fields worth keeping, as a JSON object (or empty) */
} og_inbound_message;

/* Delivery states of an outbound message, in the order they normally happen. */
typedef int32_t og_delivery_state;
#define OG_DELIVERY_QUEUED 1
#define OG_DELIVERY_SENT 2
#define OG_DELIVERY_DELIVERED 3
#define OG_DELIVERY_READ 4
#define OG_DELIVERY_UNDELIVERED 5
#define OG_DELIVERY_FAILED 6

/* A provider's report on an outbound message we sent earlier (e.g. a status callback). */
typedef struct og_delivery_report {
  uint32_t struct_size;
  og_str provider_message_id; /* the id the provider gave when we sent */
  og_delivery_state state;
  og_str error_code;          /* provider's code, if any */
  og_str error_text;
  og_str raw;
} og_delivery_report;

/* Something that happened on the channel that is not a message: a call ringing, answered,
 * ended, a recording ready, a chat participant typing. Goes to the transcript as an event. */
typedef struct og_channel_event {
  uint32_t struct_size;
  og_str provider_event_id;   /* dedupe key per instance (may be empty) */
  og_str kind;                /* dotted name, e.g. "call.answered", "recording.ready" */
  og_str from_kind;           /* identity of the customer this is about */
  og_str from_address;
  og_str to_address;
  og_str thread_key;          /* same meaning as in og_inbound_message */
  og_str data_json;           /* event details as a JSON object */
  const og_attachment* attachments; /* e.g. a recording */
  size_t attachment_count;
} og_channel_event;

/* Called once a submit_*() without a request id has been committed (or failed to be).
 * Runs on the instance strand. `id` is the stored message/event id (0 on failure). */
typedef void (*og_commit_fn)(void* user, og_status status, int64_t id);

/* ---------------------------------------------------------------- outbound */

/* An agent's reply the host asks the plugin to deliver. Borrowed for the send_message() call. */
typedef struct og_outbound_message {
  uint32_t struct_size;
  og_str idempotency_key;     /* stable for this outbox row across retries and restarts */
  og_str thread_key;
  og_str to_kind;
  og_str to_address;          /* the customer's address on this channel */
  og_str from_address;        /* our address the customer last wrote to (may be empty) */
  og_str subject;
  og_str body_text;
  og_str body_html;
  og_str in_reply_to;         /* provider id of the last inbound message (e.g. Message-ID) */
  const og_attachment* attachments;
  size_t attachment_count;
  og_str author_name;         /* the agent's display name */
  og_str metadata_json;
} og_outbound_message;

/* Outcome of a send, reported with og_host_api.send_result(). */
typedef struct og_send_result {
  uint32_t struct_size;
  og_status status;           /* OK, RETRY or PERMANENT */
  og_str provider_message_id; /* on OK: the provider's id, used to match delivery reports */
  og_str error_code;          /* provider's error code on failure */
  og_str error_text;
  int32_t retry_after_ms;     /* on RETRY: provider's hint (0 = host's backoff) */
} og_send_result;

/* 1.1: what the host knows about an earlier attempt of the send it asks about with
 * og_plugin_api.lookup_send(). Borrowed for that call. */
typedef struct og_send_lookup {
  uint32_t struct_size;
  int32_t attempts;           /* attempts made so far (>= 1; the lost one included) */
  int64_t enqueued_at_ms;     /* when the reply was committed (Unix ms): the provider cannot
                                 have created it earlier (allow for clock skew) */
  const og_str* taken_ids;    /* provider ids already recorded for OTHER replies of the same
                                 conversation: never answer one of these (a look-alike reply) */
  size_t taken_id_count;
} og_send_lookup;

/* 1.1: a sent message whose delivery state is not final yet, visited by
 * og_host_api.list_unsettled_sends(). Borrowed for the visitor call. */
typedef struct og_unsettled_send {
  uint32_t struct_size;
  og_delivery_state state;    /* the state recorded so far (QUEUED or SENT) */
  int64_t outbox_id;          /* cursor: pass the last one seen as `after_id` for the next batch */
  og_str provider_message_id;
  int64_t sent_at_ms;         /* when the provider's acceptance was recorded (Unix ms) */
} og_unsettled_send;

/* list_unsettled_sends visitor: `send` is borrowed for the call. */
typedef void (*og_unsettled_visit_fn)(void* user, const og_unsettled_send* send);

/* ---------------------------------------------------------------- outbound HTTP (host-owned) */

#define OG_FETCH_ALLOW_PRIVATE 0x1 /* ask to reach loopback/private addresses; granted only when
                                      the gateway config allows it for this instance */

typedef struct og_fetch_request {
  uint32_t struct_size;
  og_str method;
  og_str url;                 /* http:// or https:// only; no redirects are followed */
  const og_header* headers;
  size_t header_count;
  og_str body;
  og_str basic_auth_user;     /* HTTP Basic credentials (never logged) */
  og_str basic_auth_password;
  int32_t timeout_ms;         /* 0 = host default */
  int32_t flags;              /* OG_FETCH_* */
} og_fetch_request;

typedef struct og_fetch_response {
  uint32_t struct_size;
  int32_t http_status;        /* 0 when no HTTP response arrived (see error) */
  const og_header* headers;
  size_t header_count;
  og_str body;
  og_str error;               /* transport or policy error text (empty on an HTTP response) */
} og_fetch_response;

/* Completion of http_fetch. Runs on the instance strand, exactly once per accepted fetch —
 * before destroy() at the latest (with http_status 0 and an error if cancelled). */
typedef void (*og_fetch_done_fn)(void* user, uint64_t fetch_id, const og_fetch_response* response);

/* kv_get visitor: `value` is borrowed for the call. */
typedef void (*og_kv_visit_fn)(void* user, og_str value);

/* ---------------------------------------------------------------- host → plugin services */

typedef struct og_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;

  /* Log a line under the instance's name. Any thread. Never pass secrets. */
  void (*log)(og_host_ctx* ctx, og_log_level level, og_str message);

  /* Register a route mounted at /channels/<instance><path>. create/start only.
   * method "" matches every method. path must start with "/". */
  og_status (*register_http_route)(og_host_ctx* ctx, og_str method, og_str path,
                                   og_http_handler_fn handler, void* user, og_error* err);

  /* Register a WebSocket route mounted like an HTTP route. create/start only.
   * `handlers` is copied. */
  og_status (*register_ws_route)(og_host_ctx* ctx, og_str path, const og_ws_handlers* handlers,
                                 og_error* err);

  /* Set the reply to an HTTP request. Callback only (inside the handler of request_id).
   * Copies the response at once. A second call replaces the first. */
  og_status (*respond)(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response);

  /* Store an inbound message. Callback only. Returns at once (validation errors come back
   * as OG_PERMANENT with a message); the commit happens later:
   *  - with request_id != 0 the reply to that request waits for the commit;
   *  - `done` (optional) is called on the strand after the commit. */
  og_status (*submit_inbound)(og_host_ctx* ctx, uint64_t request_id,
                              const og_inbound_message* message, og_commit_fn done, void* user,
                              og_error* err);

  /* Store a delivery report. Same commit rules as submit_inbound. Callback only. */
  og_status (*submit_delivery)(og_host_ctx* ctx, uint64_t request_id,
                               const og_delivery_report* report, og_commit_fn done, void* user,
                               og_error* err);

  /* Store a channel event. Same commit rules as submit_inbound. Callback only. */
  og_status (*submit_event)(og_host_ctx* ctx, uint64_t request_id, const og_channel_event* event,
                            og_commit_fn done, void* user, og_error* err);

  /* Report the outcome of send_message(ticket). Any thread; once per ticket; a stale or
   * repeated ticket is ignored. */
  void (*send_result)(og_host_ctx* ctx, uint64_t ticket, const og_send_result* result);

  /* Send on a WebSocket connection of this instance. Any thread. Stale conn_id → OG_PERMANENT. */
  og_status (*ws_send)(og_host_ctx* ctx, uint64_t conn_id, og_str data, int32_t is_text,
                       og_error* err);
  /* Close a WebSocket connection. Any thread. */
  og_status (*ws_close)(og_host_ctx* ctx, uint64_t conn_id, int32_t code, og_str reason);

  /* Schedule og_plugin_api.on_timer(instance, *timer_id) after delay_ms. Any thread. */
  og_status (*set_timer)(og_host_ctx* ctx, uint32_t delay_ms, uint64_t* timer_id, og_error* err);
  /* Cancel a timer; a timer that already fired or a stale id is ignored. Any thread. */
  void (*cancel_timer)(og_host_ctx* ctx, uint64_t timer_id);

  /* Start an outbound HTTP request through the host's client (TLS, timeouts, SSRF rules:
   * loopback/private/link-local targets are refused unless allowed). Callback only.
   * On OG_OK, `done` will be called exactly once; *fetch_id identifies it. */
  og_status (*http_fetch)(og_host_ctx* ctx, const og_fetch_request* request,
                          og_fetch_done_fn done, void* user, uint64_t* fetch_id, og_error* err);

  /* Plugin-scoped persistent key/value store (small values: cursors, tokens, state).
   * kv_get calls `visit` with the value if found and sets *found. Any thread. */
  og_status (*kv_get)(og_host_ctx* ctx, og_str key, og_kv_visit_fn visit, void* user,
                      int32_t* found, og_error* err);
  og_status (*kv_put)(og_host_ctx* ctx, og_str key, og_str value, og_error* err);
  og_status (*kv_delete)(og_host_ctx* ctx, og_str key, og_error* err);

  /* ---- 1.1 (check with OG_HAS_FIELD(host, og_host_api, list_unsettled_sends))
   * Visit this instance's sent messages whose delivery state is still short of final
   * (queued/sent), accepted by the provider between sent_after_ms and sent_before_ms, with
   * outbox id > after_id, in outbox id order, at most `limit` (1..1000). Calls `visit` before
   * returning; *count gets the number visited (fewer than limit: that was the last batch).
   * A synchronous store read: any thread, but keep it off per-message hot paths. */
  og_status (*list_unsettled_sends)(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                    int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                    void* user, int32_t* count, og_error* err);
} og_host_api;

/* ---------------------------------------------------------------- plugin → host description */

typedef struct og_plugin_api {
  uint32_t struct_size;
  uint32_t abi_major;                /* must equal the host's OG_ABI_MAJOR */
  uint32_t abi_minor;                /* must be <= the host's OG_ABI_MINOR */

  /* Static NUL-terminated strings owned by the plugin, valid while the library is loaded. */
  const char* name;                  /* required, e.g. "sms" */
  const char* version;               /* required, semantic version of the plugin */
  const char* channel_kind;          /* required: "sms", "email", "webchat", "voice", ... */
  const char* description;           /* optional */
  const char* config_schema_json;    /* optional JSON Schema (object) of the instance config */

  /* Create an instance. `host` and `ctx` stay valid until destroy() returns.
   * `config_json` is the instance's config as a JSON object. On OG_OK *instance is set to a
   * plugin-owned pointer the host passes back and never dereferences. Return OG_DECLINE to
   * stay disabled, OG_CONFIG (message naming the key) for bad config. Required. */
  og_status (*create)(const og_host_api* host, og_host_ctx* ctx, og_str instance_name,
                      og_str config_json, void** instance, og_error* err);
  /* Begin work (routes may still be registered here). Optional. */
  og_status (*start)(void* instance, og_error* err);
  /* Stop work: no new fetches or timers. Optional. */
  void (*stop)(void* instance);
  /* Free the instance. No callback for it runs after this. Required. */
  void (*destroy)(void* instance);

  /* Deliver an agent's reply. Return OG_OK when accepted — the outcome follows through
   * host->send_result(ticket) — or RETRY/PERMANENT at once (no send_result then). Required. */
  og_status (*send_message)(void* instance, uint64_t ticket, const og_outbound_message* message,
                            og_error* err);

  /* A timer set with host->set_timer fired. Optional. */
  void (*on_timer)(void* instance, uint64_t timer_id);

  /* ---- 1.1, optional (NULL, or absent in a 1.0 plugin: the host re-sends as in 1.0).
   * Before sending again a reply whose earlier attempt may have reached the provider (a crash,
   * a timeout or an error answer left its outcome unknown), the host asks whether the provider
   * already has it. Same ticket rules as send_message: return OG_OK and answer once through
   * host->send_result(ticket) with
   *   OG_OK + provider_message_id  the provider has it: recorded as sent, nothing is sent again;
   *   OG_NOT_FOUND                 it does not: the host calls send_message for it now;
   *   OG_RETRY (or anything else)  cannot tell now (provider unreachable): the host asks again
   *                                later and never re-sends blindly;
   * or return OG_DECLINE at once when this message cannot be looked up (the host then sends
   * as a 1.0 plugin would), or OG_RETRY at once. */
  og_status (*lookup_send)(void* instance, uint64_t ticket, const og_outbound_message* message,
                           const og_send_lookup* lookup, og_error* err);
} og_plugin_api;

/* True when a struct received from the other side is large enough to hold `field`.
 * Use before calling a host function or reading a field added in a later minor version. */
#define OG_HAS_FIELD(ptr, type, field) \
  ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* The one exported symbol. Returns a pointer to a static og_plugin_api owned by the plugin. */
typedef const og_plugin_api* (*og_plugin_entry_fn)(void);
#define OG_PLUGIN_ENTRY_SYMBOL "og_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* OMNIGATE_PLUGIN_ABI_H */
