// omnigate plugin SDK — the fake host a plugin's unit tests drive it with
// (library omnigate::plugin_testing; never link it into a plugin).
//
// FakeHost is an og_host_api table implementing every 2.2 host service in memory and recording
// every call (copying the borrowed data, as the real host must). LoadedPlugin dlopen()s a real
// plugin .so, creates one instance against a FakeHost and plays the gateway's part: calls
// routes, WebSocket handlers, send_message, lookup_send, timers, fetch completions and
// conversation notices. Nothing runs by itself: work the real host would run later on the
// instance's strand (post() tasks, kv and commit completions) waits in a queue until the test
// calls run_posted(), so every test is deterministic.
//
// Differences from the real host (plugins/sdk/ABI.md is the contract):
//  - one thread: post() and log() may be called from plugin threads (they lock), the other
//    functions are meant to be called from the test's thread (inside callbacks);
//  - commits succeed at once unless commit_status says otherwise; a reply does not wait for them;
//  - "callback only" / "create/start only" are not enforced; route options are only recorded;
//  - signal() knows the conversations in `conversations` only, and checks a signal's data_json
//    only for its surrounding braces; channel_availability() answers `availability`;
//  - conversation_action() checks like the host (data_json only for its braces), resolves the
//    conversation from `conversations` and records it in `actions`; its completion (with
//    `action_status`) waits for run_posted(). customer_lookup() finds `customers` by exactly the
//    kind and address given (no E.164 normalisation).
#pragma once

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace omnigate::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct RecordedRoute {
  std::string method, path;
  og_http_handler_fn handler;
  void* user;  // plugin-owned (the SDK's route entry); only passed back to the handler
  bool has_options = false;  // og_route_options given (else the host defaults)
  uint64_t max_body_bytes = 0;
  uint32_t respond_timeout_ms = 0;
};
struct RecordedResponse {
  int status = 0;
  std::string content_type, body;
  HeaderList headers;
};
// A respond() the host refused (the request is then answered 500).
struct RecordedRefusal {
  uint64_t request_id = 0;
  std::string reason;
};
struct RecordedAttachment {
  std::string filename, content_type, data, url, blob_ref, content_id, disposition;
  uint64_t size = 0;
};
struct RecordedInbound {
  uint64_t request_id = 0;
  std::string provider_message_id, from_kind, from_address, from_name, to_address, thread_key;
  std::string subject, body_text, body_html, raw, metadata_json;
  std::vector<RecordedAttachment> attachments;
  std::vector<std::pair<std::string, int>> skills;
  int priority = 0, flags = 0;
  int64_t sent_at_ms = 0;
};
struct RecordedDelivery {
  uint64_t request_id = 0;
  std::string provider_message_id;
  og_delivery_state state = 0;
  std::string error_code, error_text, raw;
};
struct RecordedEvent {
  uint64_t request_id = 0;
  std::string provider_event_id, kind, from_kind, from_address, to_address, thread_key, data_json;
  std::vector<RecordedAttachment> attachments;
};
struct RecordedFetch {
  uint64_t id = 0;
  std::string method, url, body, basic_auth_user, basic_auth_password;
  HeaderList headers;
  int timeout_ms = 0, flags = 0;
  og_fetch_done_fn done = nullptr;
  void* user = nullptr;    // plugin-owned; passed back to `done`, which frees it
  bool completed = false;  // the ABI promises exactly one completion per fetch

  std::string header(const std::string& name) const;
};
struct RecordedSendResult {
  uint64_t ticket = 0;
  og_status status = 0;
  std::string provider_message_id, error_code, error_text;
  int retry_after_ms = 0;
};
struct RecordedWsRoute {
  std::string path;
  og_ws_handlers handlers;
};
struct RecordedWsSend {
  uint64_t conn_id = 0;
  std::string data;
  bool is_text = false;
};
struct RecordedWsClose {
  uint64_t conn_id = 0;
  int code = 0;
  std::string reason;
};
struct RecordedMetric {
  uint64_t id = 0;
  og_metric_kind kind = 0;
  std::string name, help;
  std::vector<double> values;  // every metric_record, in order
};

// A signal() the plugin sent (ABI 2.1).
struct RecordedSignal {
  int64_t conversation_id = 0;
  std::string kind, data_json;
};
// What channel_availability() answers (ABI 2.1); a test sets it.
struct FakeAvailability {
  int32_t agents_online = 1;
  int32_t agents_free = 1;
  int32_t queued = 0;
  int64_t expected_wait_ms = 0;
};

// A conversation_action() the host accepted (ABI 2.2), with the conversation it resolved to.
struct RecordedAction {
  og_conversation_action_kind kind = 0;
  int64_t conversation_id = 0;  // resolved: never 0
  std::string thread_key, agent_id, reason, data_json;
};
// A customer customer_lookup() finds (ABI 2.2); a test adds them.
struct FakeCustomer {
  std::string kind, address;  // the identity it is found by
  int64_t customer_id = 0;
  std::string display_name;
  std::string tier = "C";
  int32_t open_conversations = 0;
};

// What list_unsettled_sends() hands out (ABI 1.1).
struct FakeUnsettled {
  int64_t outbox_id = 0;
  std::string provider_message_id;
  og_delivery_state state = OG_DELIVERY_SENT;
  int64_t sent_at_ms = 0;
};
// One list_unsettled_sends() call as the plugin made it.
struct RecordedListing {
  int64_t sent_after_ms = 0, sent_before_ms = 0, after_id = 0;
  int32_t limit = 0;
};

// A conversation as get_conversation() and conversation notices report it.
struct FakeConversation {
  int64_t conversation_id = 0;
  std::string thread_key, customer_kind, customer_address;
  std::string status = "waiting";  // "waiting", "assigned", "resolved", "closed"
  int32_t priority = 4;
  int32_t queue_position = 0;
  int64_t expected_wait_ms = -1;
  std::string agent_id, agent_display_name, agent_contact_json;
};

class FakeHost {
 public:
  FakeHost();
  FakeHost(const FakeHost&) = delete;
  FakeHost& operator=(const FakeHost&) = delete;

  const og_host_api* api() const { return &api_; }
  og_host_ctx* ctx() { return reinterpret_cast<og_host_ctx*>(this); }
  // The og_host_ctx handed to the plugin is this object (owned by the test, outlives the plugin).
  static FakeHost& from(og_host_ctx* ctx) { return *reinterpret_cast<FakeHost*>(ctx); }

  // ---- settings a test may change before the plugin is created
  std::string instance_name = "test";  // host_info (LoadedPlugin sets it to its instance)
  std::string public_base_url;         // host_info; empty = not configured
  std::string gateway_version = "fake";
  og_status commit_status = OG_OK;  // outcome of every submit_*'s commit
  og_status kv_status = OG_OK;      // outcome of every kv_put/kv_delete completion
  uint64_t blob_limit_bytes = 64u << 20;
  // channel_availability(): the answer, or this status instead of OG_OK (e.g. OG_RETRY).
  FakeAvailability availability;
  og_status availability_status = OG_OK;
  // conversation_action(): the outcome its completion reports (OG_CONFIG: routing refused it).
  og_status action_status = OG_OK;

  // ---- the strand: post() tasks and kv/commit completions, in the order they were queued
  // Runs every queued item (and those queued meanwhile); returns how many ran.
  size_t run_posted();
  size_t posted_count() const;

  // ---- replies
  // The reply sent for a request, if any yet (a deferred reply appears once respond()ed).
  std::optional<RecordedResponse> response(uint64_t request_id) const;
  // Like the host after a deferred request's respond_timeout_ms: answered 503 if still open.
  void expire_request(uint64_t request_id);

  // ---- blobs: store bytes as if written through blob_begin/write/finish; returns the reference
  std::string store_blob(std::string_view bytes);

  // ---- metrics: the metric registered under `name`, or nullptr
  const RecordedMetric* metric(std::string_view name) const;

  // ---- what the plugin did (public so tests can read and seed them)
  std::vector<RecordedRoute> routes;
  std::vector<RecordedWsRoute> ws_routes;
  std::map<uint64_t, RecordedResponse> responses;  // the reply of each answered request
  std::vector<RecordedRefusal> refused_responses;
  std::vector<RecordedInbound> inbound;
  std::vector<RecordedDelivery> deliveries;
  std::vector<RecordedEvent> events;
  std::vector<RecordedFetch> fetches;
  std::vector<RecordedSendResult> send_results;
  std::vector<std::string> logs;
  std::vector<uint32_t> timers;  // delay of every set_timer; the id is index + 1
  std::vector<uint64_t> cancelled_timers;
  std::vector<FakeUnsettled> unsettled;  // filtered by the window and cursor when listed
  std::vector<RecordedListing> listings;
  std::map<std::string, std::string> kv;     // the instance's key/value store
  std::map<std::string, std::string> blobs;  // reference → bytes
  std::map<int64_t, FakeConversation> conversations;
  std::vector<RecordedMetric> metrics;  // the id is index + 1
  std::vector<RecordedWsSend> ws_sent;
  std::vector<RecordedWsClose> ws_closed;
  std::set<uint64_t> open_ws;  // connections the plugin accepted and nobody closed
  // signal() calls the host accepted, and the skills of every channel_availability() call.
  // Written under mutex(): plugins call both from any thread.
  std::vector<RecordedSignal> signals;
  std::vector<std::vector<std::pair<std::string, int>>> availability_queries;
  // conversation_action() calls the host accepted, and the customers customer_lookup() knows.
  // Written/read under mutex(): plugins call both from any thread.
  std::vector<RecordedAction> actions;
  std::vector<FakeCustomer> customers;

  // ---- used by the host functions and LoadedPlugin
  enum class RequestState { in_handler, deferred, answered };
  struct Request {
    RequestState state = RequestState::in_handler;
    bool refused = false;  // a refused respond(): the answer is 500, whatever follows
    std::optional<RecordedResponse> reply;
  };
  std::map<uint64_t, Request> requests;
  struct BlobWriter {
    std::string bytes;
  };
  std::map<uint64_t, BlobWriter> blob_writers;
  uint64_t next_blob_writer = 1;
  int64_t next_stored_id = 1;
  bool stopped = false;

  // Queue work for run_posted(); `run(cancelled)` runs it. Thread-safe.
  void enqueue(std::function<void(bool cancelled)> run);
  // Run everything queued as cancelled (the instance stopped); returns how many ran.
  size_t cancel_posted();
  std::mutex& mutex() const { return mutex_; }
  // What host_info() returns: built from the settings above, valid until the next call.
  const og_host_info* host_info();

 private:
  og_host_api api_;
  og_host_info info_;
  std::string mount_path_;
  mutable std::mutex mutex_;
  std::vector<std::function<void(bool)>> queue_;
};

// One plugin instance created from the .so at `path` against `host`; destroyed (and the
// library closed) by the destructor, which first completes what the real host would complete
// before destroy(): open fetches (cancelled), queued tasks (cancelled) and completions.
class LoadedPlugin {
 public:
  LoadedPlugin(const std::string& path, FakeHost& host, const std::string& instance,
               const std::string& config_json);
  ~LoadedPlugin();
  LoadedPlugin(const LoadedPlugin&) = delete;
  LoadedPlugin& operator=(const LoadedPlugin&) = delete;

  og_status create_status() const { return create_status_; }
  const std::string& create_error() const { return create_error_; }
  const og_plugin_api& api() const { return *api_; }

  // Calls the handler registered for (method, path) like the host's router would and returns
  // the reply: the plugin's respond(), else the status mapping (OK → 204, PERMANENT → 400,
  // RETRY → 503, other → 500); 500 after a refused respond(). Throws if the handler deferred
  // the reply (OG_PENDING): use begin_request for those.
  RecordedResponse request(const std::string& method, const std::string& path,
                           const std::string& query, const HeaderList& headers,
                           const std::string& body);
  // Calls the handler and returns the request id; the reply (host.response(id)) may come later.
  uint64_t begin_request(const std::string& method, const std::string& path,
                         const std::string& query, const HeaderList& headers,
                         const std::string& body, og_status* handler_status = nullptr);
  // send_message(ticket, ...) with the given fields; returns the immediate status.
  og_status send(uint64_t ticket, const og_outbound_message& message, std::string* error = nullptr);
  // lookup_send(ticket, ...) (ABI 1.1); returns the immediate status.
  og_status lookup(uint64_t ticket, const og_outbound_message& message, int64_t enqueued_at_ms,
                   std::string* error = nullptr, const std::vector<std::string>& taken = {});
  og_status start(std::string* error = nullptr);
  // stop(), then every queued task runs cancelled; later posts are refused (OG_RETRY).
  void stop();
  void fire_timer(uint64_t timer_id);
  // Completes fetch #index with this answer, as the host's HTTP client would.
  void complete_fetch(size_t index, int http_status, const std::string& body,
                      const HeaderList& headers = {}, const std::string& error = {});
  // Delivers a conversation notice built from host.conversations[conversation_id] (which must
  // exist). Returns false when the plugin has no on_conversation.
  bool notify_conversation(og_conversation_change change, int64_t conversation_id,
                           const std::string& previous_agent_id = {},
                           const std::string& detail_json = {});
  // An agent's command (og_plugin_api.on_command, ABI 2.2) for conversation_id; the thread key
  // comes from host.conversations when it has the conversation. Returns the plugin's status
  // (its message into *error), or OG_DECLINE when the plugin takes no commands.
  og_status command(int64_t conversation_id, const std::string& command,
                    const std::string& data_json = {}, const std::string& agent_id = "agent",
                    std::string* error = nullptr);
  // WebSocket: an upgrade on the route at `path` (true when the plugin accepted it), a message
  // from the client, and the connection going away.
  bool ws_connect(const std::string& path, uint64_t conn_id, const HeaderList& headers = {});
  void ws_receive(uint64_t conn_id, const std::string& data, bool is_text = true);
  void ws_disconnect(uint64_t conn_id);

 private:
  const RecordedWsRoute& ws_route_of(uint64_t conn_id) const;

  FakeHost& host_;
  std::string instance_;
  void* library_ = nullptr;
  const og_plugin_api* api_ = nullptr;
  void* instance_ptr_ = nullptr;
  og_status create_status_ = OG_INTERNAL;
  std::string create_error_;
  uint64_t next_request_id_ = 1;
  std::map<uint64_t, std::string> ws_paths_;  // connection → route path
  bool stopped_ = false;
};

}  // namespace omnigate::testing
