/*
 * omnigate plugin ABI 2 — the only contract between the gateway and a channel plugin.
 *
 * Pure C so that any compiler (and any language with a C FFI) can build a plugin, and so that
 * nothing C++ (no std::string, no exceptions, no vtables) ever crosses the boundary.
 * Read plugins/sdk/ABI.md for the full rules; in short:
 *
 *  - One exported symbol: og_plugin_entry(). The host dlopen()s with RTLD_NOW | RTLD_LOCAL.
 *  - Every struct starts with `struct_size` and is append-only — array elements and og_error
 *    included. A reader copies min(struct_size, sizeof(its own struct)) into a zeroed struct,
 *    so old and new sides interoperate: fields a side does not know read as zero. An array is
 *    stepped through by its elements' struct_size (the sender's sizeof), never the reader's:
 *    use OG_ARRAY_AT. og_str is the one exception: frozen at {ptr, len}, it never grows.
 *  - A plugin declares the minor it NEEDS in og_plugin_api.abi_minor (not the header's), and
 *    probes newer host functions at run time with OG_HAS_FIELD + a NULL check.
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

#define OG_ABI_MAJOR 2
#define OG_ABI_MINOR 2

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
#define OG_NOT_FOUND \
  6                  /* lookup_send's answer "the provider has no such message"; get_* found none */
#define OG_PENDING 7 /* returned by an HTTP handler that will respond() later (deferred reply) */

/* Caller-owned error report. The caller sets struct_size (OG_ERROR_INIT); the callee writes
 * only what struct_size covers: the status and a NUL-terminated, truncated message. */
#define OG_ERROR_MESSAGE_MAX 512
typedef struct og_error {
  uint32_t struct_size;
  og_status status;
  char message[OG_ERROR_MESSAGE_MAX];
} og_error;
#define OG_ERROR_INIT                \
  {                                  \
    (uint32_t)sizeof(og_error), 0, { \
      0                              \
    }                                \
  }

typedef int32_t og_log_level;
#define OG_LOG_DEBUG 0
#define OG_LOG_INFO 1
#define OG_LOG_WARN 2
#define OG_LOG_ERROR 3

typedef struct og_header {
  uint32_t struct_size;
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
  uint64_t request_id; /* pass to respond()/submit_*() so the host ties commits to this reply */
  og_str method;       /* "GET", "POST", ... */
  og_str target;       /* path + "?" + query exactly as received, e.g. "/channels/sms/sms?x=1" */
  og_str path;         /* decoded path below the mount: "/sms" for "/channels/<inst>/sms" */
  og_str query;        /* raw query string without "?" (may be empty) */
  const og_header* headers; /* array of header_count entries, names as received (OG_ARRAY_AT) */
  size_t header_count;
  og_str body;
  og_str remote_addr; /* peer IP address as text */
} og_http_request;

/* The reply a plugin gives. Passed to og_host_api.respond(), which copies it at once. */
typedef struct og_http_response {
  uint32_t struct_size;
  int32_t status; /* HTTP status code */
  og_str content_type;
  og_str body;
  const og_header* headers; /* extra headers; array of header_count */
  size_t header_count;
} og_http_response;

/* Route handler. Runs on the instance strand. Call host->respond() before returning; the host
 * sends that reply only after every submit_*() made with this request_id has been committed
 * (a failed commit turns the reply into 503 so the provider retries). If the handler returns
 * without responding, the host answers by status: OK → 204, PERMANENT → 400, RETRY → 503,
 * PENDING → nothing yet (a deferred reply: respond() later, from any thread, within the
 * route's respond_timeout_ms, or the host answers 503), anything else → 500. `request` is
 * borrowed for the handler call only, deferred or not. `user` is the pointer given at
 * registration, owned by the plugin. */
typedef og_status (*og_http_handler_fn)(void* user, const og_http_request* request);

/* How a route wants its requests handled. Borrowed by register_http_route (copied). */
typedef struct og_route_options {
  uint32_t struct_size;
  uint64_t max_body_bytes;     /* the largest body this route accepts at most (the ceiling the
                                  operator's per-route setting is clipped to); 0 = host default
                                  (1 MiB). Larger bodies are answered 413. */
  uint32_t respond_timeout_ms; /* a deferred reply not given within this is answered 503;
                                  0 = host default (10 s) */
} og_route_options;

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
  og_str filename; /* as the sender named it: metadata only, NEVER used as a path */
  og_str content_type;
  og_str data;        /* the bytes, when the plugin has them (stored content-addressed) */
  og_str url;         /* remote location when the bytes were not fetched (e.g. MMS media) */
  og_str blob_ref;    /* instead of data: a blob written with blob_begin/blob_write/blob_finish
                         ("sha256:<hex>"); outbound, a stored blob to read with blob_read */
  uint64_t size;      /* bytes of data or of the blob (0 = unknown, e.g. a url) */
  og_str content_id;  /* MIME Content-ID without <> (inline parts referenced as cid:), or empty */
  og_str disposition; /* "attachment", "inline", or empty (= attachment) */
} og_attachment;

typedef struct og_skill_requirement {
  uint32_t struct_size;
  og_str skill;      /* e.g. "lang:en", "billing" */
  int32_t min_level; /* proficiency 1..5 */
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
  const og_attachment* attachments; /* array (OG_ARRAY_AT) */
  size_t attachment_count;
  const og_skill_requirement* skills; /* skills this conversation needs (may be empty); array */
  size_t skill_count;
  int32_t priority;     /* 1..4 (P1..P4); 0 = let the routing policy decide */
  int32_t flags;        /* OG_INBOUND_* */
  int64_t sent_at_ms;   /* provider's timestamp (Unix ms), 0 = unknown */
  og_str raw;           /* raw payload, kept for audit; required when MALFORMED */
  og_str metadata_json; /* provider fields worth keeping, as a JSON object (or empty) */
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
  og_str error_code; /* provider's code, if any */
  og_str error_text;
  og_str raw;
} og_delivery_report;

/* Something that happened on the channel that is not a message: a call ringing, answered,
 * ended, a recording ready, a chat participant typing. Goes to the transcript as an event. */
typedef struct og_channel_event {
  uint32_t struct_size;
  og_str provider_event_id; /* dedupe key per instance (may be empty) */
  og_str kind;              /* dotted name, e.g. "call.answered", "recording.ready" */
  og_str from_kind;         /* identity of the customer this is about */
  og_str from_address;
  og_str to_address;
  og_str thread_key;                /* same meaning as in og_inbound_message */
  og_str data_json;                 /* event details as a JSON object */
  const og_attachment* attachments; /* e.g. a recording */
  size_t attachment_count;
} og_channel_event;

/* Called once a submit_*() has been committed (or failed to be). Runs on the instance strand.
 * `id` is the stored message/event id (0 on failure). */
typedef void (*og_commit_fn)(void* user, og_status status, int64_t id);

/* ---------------------------------------------------------------- outbound */

/* An agent's reply the host asks the plugin to deliver. Borrowed for the send_message() call. */
typedef struct og_outbound_message {
  uint32_t struct_size;
  og_str idempotency_key; /* stable for this outbox row across retries and restarts */
  og_str thread_key;
  og_str to_kind;
  og_str to_address;   /* the customer's address on this channel */
  og_str from_address; /* our address the customer last wrote to (may be empty) */
  og_str subject;
  og_str body_text;
  og_str body_html;
  og_str in_reply_to;               /* provider id of the last inbound message (e.g. Message-ID) */
  const og_attachment* attachments; /* array (OG_ARRAY_AT); large ones come as blob_ref */
  size_t attachment_count;
  og_str author_name; /* the agent's display name */
  og_str metadata_json;
  int64_t conversation_id; /* the conversation this reply belongs to */
} og_outbound_message;

/* Outcome of a send, reported with og_host_api.send_result(). */
typedef struct og_send_result {
  uint32_t struct_size;
  og_status status;           /* OK, RETRY or PERMANENT */
  og_str provider_message_id; /* on OK: the provider's id, used to match delivery reports */
  og_str error_code;          /* provider's error code on failure */
  og_str error_text;
  int32_t retry_after_ms; /* on RETRY: provider's hint (0 = host's backoff) */
} og_send_result;

/* What the host knows about an earlier attempt of the send it asks about with
 * og_plugin_api.lookup_send(). Borrowed for that call. */
typedef struct og_send_lookup {
  uint32_t struct_size;
  int32_t attempts;        /* attempts made so far (>= 1; the lost one included) */
  int64_t enqueued_at_ms;  /* when the reply was committed (Unix ms): the provider cannot
                              have created it earlier (allow for clock skew) */
  const og_str* taken_ids; /* provider ids already recorded for OTHER replies of the same
                              conversation: never answer one of these (a look-alike reply).
                              og_str never grows: a plain array. */
  size_t taken_id_count;
} og_send_lookup;

/* A sent message whose delivery state is not final yet, visited by
 * og_host_api.list_unsettled_sends(). Borrowed for the visitor call. */
typedef struct og_unsettled_send {
  uint32_t struct_size;
  og_delivery_state state; /* the state recorded so far (QUEUED or SENT) */
  int64_t outbox_id;       /* cursor: pass the last one seen as `after_id` for the next batch */
  og_str provider_message_id;
  int64_t sent_at_ms; /* when the provider's acceptance was recorded (Unix ms) */
} og_unsettled_send;

/* list_unsettled_sends visitor: `send` is borrowed for the call. */
typedef void (*og_unsettled_visit_fn)(void* user, const og_unsettled_send* send);

/* ---------------------------------------------------------------- outbound HTTP (host-owned) */

#define OG_FETCH_ALLOW_PRIVATE                                      \
  0x1 /* ask to reach loopback/private addresses; granted only when \
         the gateway config allows it for this instance */

typedef struct og_fetch_request {
  uint32_t struct_size;
  og_str method;
  og_str url;               /* http:// or https:// only; no redirects are followed */
  const og_header* headers; /* array (OG_ARRAY_AT) */
  size_t header_count;
  og_str body;
  og_str basic_auth_user; /* HTTP Basic credentials (never logged) */
  og_str basic_auth_password;
  int32_t timeout_ms; /* 0 = host default */
  int32_t flags;      /* OG_FETCH_* */
} og_fetch_request;

typedef struct og_fetch_response {
  uint32_t struct_size;
  int32_t http_status;      /* 0 when no HTTP response arrived (see error) */
  const og_header* headers; /* array (OG_ARRAY_AT) */
  size_t header_count;
  og_str body;
  og_str error; /* transport or policy error text (empty on an HTTP response) */
} og_fetch_response;

/* Completion of http_fetch. Runs on the instance strand, exactly once per accepted fetch —
 * before destroy() at the latest (with http_status 0 and an error if cancelled). */
typedef void (*og_fetch_done_fn)(void* user, uint64_t fetch_id, const og_fetch_response* response);

/* kv_get visitor: `value` is borrowed for the call. */
typedef void (*og_kv_visit_fn)(void* user, og_str value);
/* Completion of kv_put/kv_delete: runs on the instance strand once the write is durable
 * (status OG_OK) or failed — before destroy() at the latest. */
typedef void (*og_kv_done_fn)(void* user, og_status status);

/* ---------------------------------------------------------------- work from plugin threads */

/* A task handed to post(). Runs once on the instance strand, as a callback; `cancelled` != 0
 * when the instance stopped first (free `user`, do no work) — before destroy() at the latest. */
typedef void (*og_task_fn)(void* user, int32_t cancelled);

/* ---------------------------------------------------------------- conversations */

/* What the host knows about one conversation of this instance. Borrowed for the call that
 * passes it. Strings may be empty. */
typedef struct og_conversation_state {
  uint32_t struct_size;
  int64_t conversation_id;
  og_str thread_key;    /* as the plugin gave it on the conversation's first message */
  og_str customer_kind; /* the customer's identity on this channel */
  og_str customer_address;
  og_str status;            /* "waiting", "assigned", "resolved", "closed" */
  int32_t priority;         /* 1..4 */
  int32_t queue_position;   /* 1-based while waiting, 0 otherwise */
  int64_t expected_wait_ms; /* while waiting: the host's estimate; -1 unknown */
  og_str agent_id;          /* the assigned agent, empty when none */
  og_str agent_display_name;
  og_str agent_contact_json; /* the agent's contact fields as a JSON object, e.g.
                                {"phone":"+441632960001","sip":"sip:ana@pbx.example"} */
} og_conversation_state;

/* What changed. New kinds may be added in a minor: ignore unknown ones. */
typedef int32_t og_conversation_change;
#define OG_CONVERSATION_ASSIGNED 1    /* an agent took it (routing or by hand) */
#define OG_CONVERSATION_TRANSFERRED 2 /* moved from one agent (or queue) to another */
#define OG_CONVERSATION_RESOLVED 3
#define OG_CONVERSATION_CLOSED 4
#define OG_CONVERSATION_AGENT_TYPING 5  /* the assigned agent is typing a reply */
#define OG_CONVERSATION_QUEUE_CHANGED 6 /* queue position or expected wait changed */

typedef struct og_conversation_notice {
  uint32_t struct_size;
  og_conversation_change change;
  const og_conversation_state* state; /* the conversation after the change */
  og_str previous_agent_id;           /* TRANSFERRED: who had it (empty: the queue) */
  /* ABI 2.2. Details of the change as a JSON object, or empty. TRANSFERRED:
     {"mode":"cold"|"warm","by":"user:<name>"} ("warm": the agent who had it stays on the live
     contact until the new one has joined). Check with OG_HAS_FIELD before reading. */
  og_str detail_json;
} og_conversation_notice;

/* get_conversation visitor: `state` is borrowed for the call. */
typedef void (*og_conversation_visit_fn)(void* user, const og_conversation_state* state);

/* ABI 2.1. Something the customer is doing now that is not stored (typing, stopped typing).
 * Passed to og_host_api.signal, which copies it at once. */
typedef struct og_conversation_signal {
  uint32_t struct_size;
  int64_t conversation_id; /* a conversation of this instance (from a notice or outbound message) */
  og_str kind;             /* [a-z_.]{1,32}, e.g. "typing" */
  og_str data_json;        /* a JSON object or empty */
} og_conversation_signal;

/* ABI 2.1. Who could take a new conversation of this instance now (og_host_api.
 * channel_availability). Caller-owned: the host writes only as far as struct_size covers. */
typedef struct og_channel_availability {
  uint32_t struct_size;
  int32_t agents_online;    /* agents present/available who could take a new conversation of this
                               instance with these skills (skills met, capacity for this channel kind >
                               0) */
  int32_t agents_free;      /* of those, with spare capacity right now */
  int32_t queued;           /* conversations of this instance waiting in the queue */
  int64_t expected_wait_ms; /* the host's estimate for a new conversation; -1 unknown */
} og_channel_availability;

/* ABI 2.2. What a live channel (a call) tells the gateway about one of its conversations, with
 * og_host_api.conversation_action. The host records an event for each and updates routing. */
typedef int32_t og_conversation_action_kind;
#define OG_ACTION_ANSWERED                                               \
  1 /* the assigned agent is serving the customer live now (answered the \
       call): the first response is recorded */
#define OG_ACTION_REQUEUE                                             \
  2 /* agent_id could not take it (did not answer, busy): back to the \
       queue at its place; agent_id is not offered it again */
#define OG_ACTION_ABANDONED                                                               \
  3                          /* the customer left before an agent served them: out of the \
                                queue, closed, counted as abandoned (data_json "wait_ms") */
#define OG_ACTION_ENDED 4    /* the live contact ended: resolved; the agent's wrap-up starts */
#define OG_ACTION_TRANSFER 5 /* hand it to agent_id (online, with capacity for the channel) */

typedef struct og_conversation_action {
  uint32_t struct_size;
  og_conversation_action_kind kind;
  int64_t conversation_id; /* a conversation of this instance; 0 = the latest conversation of
                              thread_key that is not resolved or closed */
  og_str thread_key;       /* used when conversation_id is 0 */
  og_str agent_id;         /* REQUEUE: who did not take it (empty: the assigned agent);
                              TRANSFER: the target agent */
  og_str reason;           /* words for the transcript event (may be empty) */
  og_str data_json;        /* a JSON object or empty, kept with the event */
} og_conversation_action;

/* ABI 2.2. What the store knows about a customer, found by one of their identities. Borrowed
 * for the visit call. */
typedef struct og_customer_info {
  uint32_t struct_size;
  int64_t customer_id;
  og_str display_name;        /* may be empty */
  og_str tier;                /* "S", "A", "B" or "C" */
  int32_t open_conversations; /* conversations not resolved or closed */
} og_customer_info;
typedef void (*og_customer_visit_fn)(void* user, const og_customer_info* customer);

/* ABI 2.2. An agent's command for the channel about one conversation (e.g. a voice plugin's
 * "recording.pause" while card details are given), from POST /api/v1/conversations/{id}/command.
 * Borrowed for the on_command call. */
typedef struct og_channel_command {
  uint32_t struct_size;
  int64_t conversation_id;
  og_str thread_key; /* as the plugin gave it */
  og_str command;    /* [a-z_.]{1,32} */
  og_str data_json;  /* a JSON object or empty */
  og_str agent_id;   /* the agent (or user) who asked */
} og_channel_command;

/* ---------------------------------------------------------------- plugin metrics */

typedef int32_t og_metric_kind;
#define OG_METRIC_COUNTER 1   /* metric_record adds value (>= 0) */
#define OG_METRIC_GAUGE 2     /* metric_record sets value */
#define OG_METRIC_HISTOGRAM 3 /* metric_record observes value (seconds, for durations) */

/* ---------------------------------------------------------------- instance information */

/* Facts about the instance, valid from create() until destroy() returns (host-owned). */
typedef struct og_host_info {
  uint32_t struct_size;
  og_str instance_name;   /* the config's instance name */
  og_str mount_path;      /* "/channels/<instance>": routes are below it */
  og_str public_base_url; /* how providers reach the gateway, e.g. "https://gw.example.com"
                             (no trailing /); empty when the operator did not set it */
  og_str gateway_version;
} og_host_info;

/* Largest blob reference blob_finish writes, NUL included ("sha256:" + 64 hex digits). */
#define OG_BLOB_REF_MAX 72

/* ---------------------------------------------------------------- host → plugin services */

typedef struct og_host_api {
  uint32_t struct_size;
  uint32_t abi_major;
  uint32_t abi_minor;

  /* Log a line under the instance's name. Any thread. Never pass secrets. */
  void (*log)(og_host_ctx* ctx, og_log_level level, og_str message);

  /* Register a route mounted at /channels/<instance><path>. create/start only.
   * method "" matches every method. path must start with "/". `options` may be NULL
   * (host defaults); it is copied. */
  og_status (*register_http_route)(og_host_ctx* ctx, og_str method, og_str path,
                                   const og_route_options* options, og_http_handler_fn handler,
                                   void* user, og_error* err);

  /* Register a WebSocket route mounted like an HTTP route. create/start only.
   * `handlers` is copied. */
  og_status (*register_ws_route)(og_host_ctx* ctx, og_str path, const og_ws_handlers* handlers,
                                 og_error* err);

  /* Set the reply to an HTTP request. Inside its handler; or, after the handler returned
   * OG_PENDING, from any thread until the reply is sent. Copies the response at once. A second
   * call before the reply is sent replaces the first. A reply the host cannot send (status
   * outside 100..599, a body where none is allowed, CR/LF/NUL in a header, too large) is
   * refused with OG_PERMANENT and the reason in `err`; the request is then answered 500. */
  og_status (*respond)(og_host_ctx* ctx, uint64_t request_id, const og_http_response* response,
                       og_error* err);

  /* Store an inbound message. Any thread (a plugin thread's submit is copied at once and
   * handed to the strand). Returns at once (validation errors come back as OG_PERMANENT with
   * a message); the commit happens later:
   *  - with request_id != 0 (a request not yet answered) the reply waits for the commit;
   *  - `done` (optional) is called on the strand after the commit. */
  og_status (*submit_inbound)(og_host_ctx* ctx, uint64_t request_id,
                              const og_inbound_message* message, og_commit_fn done, void* user,
                              og_error* err);

  /* Store a delivery report. Same rules as submit_inbound. */
  og_status (*submit_delivery)(og_host_ctx* ctx, uint64_t request_id,
                               const og_delivery_report* report, og_commit_fn done, void* user,
                               og_error* err);

  /* Store a channel event. Same rules as submit_inbound. */
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
  og_status (*http_fetch)(og_host_ctx* ctx, const og_fetch_request* request, og_fetch_done_fn done,
                          void* user, uint64_t* fetch_id, og_error* err);

  /* Plugin-scoped persistent key/value store (small values: cursors, tokens, state).
   * kv_get calls `visit` with the value if found and sets *found. Any thread. It sees every
   * kv_put/kv_delete made before it, durable yet or not. */
  og_status (*kv_get)(og_host_ctx* ctx, og_str key, og_kv_visit_fn visit, void* user,
                      int32_t* found, og_error* err);
  /* Never block: the write is queued (in call order) and `done` (optional) runs on the strand
   * once it is durable. Any thread. */
  og_status (*kv_put)(og_host_ctx* ctx, og_str key, og_str value, og_kv_done_fn done, void* user,
                      og_error* err);
  og_status (*kv_delete)(og_host_ctx* ctx, og_str key, og_kv_done_fn done, void* user,
                         og_error* err);

  /* Visit this instance's sent messages whose delivery state is still short of final
   * (queued/sent), accepted by the provider between sent_after_ms and sent_before_ms, with
   * outbox id > after_id, in outbox id order, at most `limit` (1..1000). Calls `visit` before
   * returning; *count gets the number visited (fewer than limit: that was the last batch).
   * A synchronous store read: any thread, but keep it off per-message hot paths. */
  og_status (*list_unsettled_sends)(og_host_ctx* ctx, int64_t sent_after_ms, int64_t sent_before_ms,
                                    int64_t after_id, int32_t limit, og_unsettled_visit_fn visit,
                                    void* user, int32_t* count, og_error* err);

  /* Run `fn` on the instance strand, as a callback (so callback-only functions work there).
   * Any thread — the way for a plugin's own thread (IMAP IDLE, a socket loop) to hand work
   * back. On OG_OK `fn` runs exactly once (with cancelled != 0 if the instance stops first). */
  og_status (*post)(og_host_ctx* ctx, og_task_fn fn, void* user, og_error* err);

  /* The instance's facts (name, mount path, public base URL). Any thread. Host-owned, valid
   * until destroy() returns. */
  const og_host_info* (*host_info)(og_host_ctx* ctx);

  /* One conversation of this instance as the host sees it now, by conversation_id (from an
   * og_conversation_notice or og_outbound_message). Calls `visit` before returning; returns
   * OG_NOT_FOUND when the instance has no such conversation. A synchronous store read: any
   * thread, off hot paths. */
  og_status (*get_conversation)(og_host_ctx* ctx, int64_t conversation_id,
                                og_conversation_visit_fn visit, void* user, og_error* err);

  /* Streaming blobs (attachments, recordings) into the content-addressed store. Any thread,
   * one writer used by one thread at a time. blob_begin opens a writer; blob_write appends a
   * chunk; blob_finish makes it durable and writes its reference ("sha256:<hex>",
   * NUL-terminated, at most OG_BLOB_REF_MAX bytes) into `ref`, for og_attachment.blob_ref;
   * blob_abort drops it (a writer neither finished nor aborted is dropped at destroy()). A
   * blob larger than the instance's limit is refused with OG_PERMANENT at the blob_write that
   * crosses it. */
  og_status (*blob_begin)(og_host_ctx* ctx, uint64_t* writer_id, og_error* err);
  og_status (*blob_write)(og_host_ctx* ctx, uint64_t writer_id, og_str chunk, og_error* err);
  og_status (*blob_finish)(og_host_ctx* ctx, uint64_t writer_id, char* ref, size_t ref_capacity,
                           uint64_t* size, og_error* err);
  void (*blob_abort)(og_host_ctx* ctx, uint64_t writer_id);
  /* Read up to `capacity` bytes of a stored blob from `offset` into `buffer`; *got gets the
   * count (0 at the end), *total (optional) the blob's size. Any thread. A reference that is
   * malformed or not stored is OG_NOT_FOUND. */
  og_status (*blob_read)(og_host_ctx* ctx, og_str ref, uint64_t offset, void* buffer,
                         size_t capacity, size_t* got, uint64_t* total, og_error* err);

  /* Plugin metrics, exported under /metrics as omnigate_plugin_<name> with the labels
   * instance and plugin. metric_register: create/start only; `name` is [a-z_][a-z0-9_]*, at
   * most 64 bytes; registering the same name and kind again returns the same id. metric_record:
   * any thread, never blocks; an unknown id is ignored. */
  og_status (*metric_register)(og_host_ctx* ctx, og_metric_kind kind, og_str name, og_str help,
                               uint64_t* metric_id, og_error* err);
  void (*metric_record)(og_host_ctx* ctx, uint64_t metric_id, double value);

  /* ---- ABI 2.1: probe with OG_HAS_FIELD(host, og_host_api, fn) && host->fn != NULL. */

  /* Publish an ephemeral signal of the customer (typing, stopped typing) on the agents' live
   * event stream as `customer.signal`. Never stored. Any thread; cheap (no store write).
   * A conversation not of this instance → OG_NOT_FOUND; a bad kind or data_json → OG_PERMANENT. */
  og_status (*signal)(og_host_ctx* ctx, const og_conversation_signal* signal, og_error* err);

  /* A snapshot of who could take a new conversation of this instance needing `skills` (array of
   * skill_count, OG_ARRAY_AT; may be empty), written into the caller-owned `out` (set its
   * struct_size). Any thread; may lag the routing engine by one dispatch pass. */
  og_status (*channel_availability)(og_host_ctx* ctx, const og_skill_requirement* skills,
                                    size_t skill_count, og_channel_availability* out,
                                    og_error* err);

  /* ABI 2.2. Tell the gateway what happened on a live contact (og_conversation_action). Any
   * thread. The host checks the action at once (OG_NOT_FOUND: no such conversation of this
   * instance; OG_PERMANENT: a bad kind, agent or data_json, named in err) and applies it
   * asynchronously; `done` (optional) runs on the strand with the outcome and the conversation
   * id (OG_CONFIG when routing refused it, e.g. TRANSFER to an agent without capacity). */
  og_status (*conversation_action)(og_host_ctx* ctx, const og_conversation_action* action,
                                   og_commit_fn done, void* user, og_error* err);

  /* ABI 2.2. Find a customer by identity (`kind` "phone", "email", ...; a phone in E.164) and
   * call `visit` once; OG_NOT_FOUND when none. Any thread; a synchronous store read. */
  og_status (*customer_lookup)(og_host_ctx* ctx, og_str kind, og_str address,
                               og_customer_visit_fn visit, void* user, og_error* err);
} og_host_api;

/* ---------------------------------------------------------------- plugin → host description */

typedef struct og_plugin_api {
  uint32_t struct_size;
  uint32_t abi_major; /* must equal the host's OG_ABI_MAJOR */
  uint32_t abi_minor; /* the host minor this plugin NEEDS (not the header's):
                         the host refuses the plugin if its own is lower.
                         Functions of later minors the plugin merely can use
                         are probed at run time instead. */

  /* Static NUL-terminated strings owned by the plugin, valid while the library is loaded. */
  const char* name;               /* required, e.g. "sms" */
  const char* version;            /* required, semantic version of the plugin */
  const char* channel_kind;       /* required: "sms", "email", "webchat", "voice", ... */
  const char* description;        /* optional */
  const char* config_schema_json; /* optional JSON Schema (object) of the instance config */

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

  /* Optional (NULL: the host re-sends with the same idempotency key).
   * Before sending again a reply whose earlier attempt may have reached the provider (a crash,
   * a timeout or an error answer left its outcome unknown), the host asks whether the provider
   * already has it. Same ticket rules as send_message: return OG_OK and answer once through
   * host->send_result(ticket) with
   *   OG_OK + provider_message_id  the provider has it: recorded as sent, nothing is sent again;
   *   OG_NOT_FOUND                 it does not: the host calls send_message for it now;
   *   OG_RETRY (or anything else)  cannot tell now (provider unreachable): the host asks again
   *                                later and never re-sends blindly;
   * or return OG_DECLINE at once when this message cannot be looked up (the host then sends
   * as if there were no lookup_send), or OG_RETRY at once. */
  og_status (*lookup_send)(void* instance, uint64_t ticket, const og_outbound_message* message,
                           const og_send_lookup* lookup, og_error* err);

  /* Optional. Something happened to one of this instance's conversations (assigned,
   * transferred, resolved, closed, agent typing, queue position). Runs on the strand; the
   * notice is borrowed for the call. Notices are best effort and in order per conversation;
   * use host->get_conversation for the current state. */
  void (*on_conversation)(void* instance, const og_conversation_notice* notice);

  /* ABI 2.2, optional. An agent's command about one of this instance's conversations. Runs on
   * the strand; the command is borrowed. Return OG_OK (done or started), OG_NOT_FOUND (no such
   * contact now, e.g. the call ended), OG_PERMANENT (unknown command or bad data; message in
   * err) — the agent's request is answered 202, 409 or 400 with err's message. */
  og_status (*on_command)(void* instance, const og_channel_command* command, og_error* err);
} og_plugin_api;

/* True when a struct received from the other side is large enough to hold `field`.
 * Use before calling a host function or reading a field added in a later minor version. */
#define OG_HAS_FIELD(ptr, type, field) \
  ((ptr) != NULL && (ptr)->struct_size >= offsetof(type, field) + sizeof(((type*)0)->field))

/* Element i of an array received from the other side, stepped by the sender's element size
 * (the first element's struct_size; every element of one array has the same). Read fields a
 * later minor added only after OG_HAS_FIELD on the element. */
#define OG_ARRAY_AT(array, type, i) \
  ((const type*)(const void*)((const char*)(array) + (size_t)(i) * (array)[0].struct_size))

/* The one exported symbol. Returns a pointer to a static og_plugin_api owned by the plugin. */
typedef const og_plugin_api* (*og_plugin_entry_fn)(void);
#define OG_PLUGIN_ENTRY_SYMBOL "og_plugin_entry"

#ifdef __cplusplus
}
#endif

#endif /* OMNIGATE_PLUGIN_ABI_H */
