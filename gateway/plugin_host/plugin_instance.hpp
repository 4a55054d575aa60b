// One running plugin instance: the plugin's state pointer, its strand, and everything in
// flight between it and the gateway (held HTTP replies, commits, sends, timers, fetches,
// WebSocket connections). host_api.cpp turns the plugin's og_host_api calls into the member
// functions below; PluginHost owns the instances.
//
// Threading. Every call into the plugin holds `call_mu_`, so the plugin never runs
// concurrently with itself. Callbacks (HTTP handlers, WebSocket messages, send_message,
// on_timer, fetch and commit completions) are posted to the instance's strand and take the
// lock there. Lifecycle calls (create, start, stop, destroy) and the WebSocket on_open (which
// the server needs answered synchronously) take the same lock on the calling thread instead of
// waiting for the strand: that keeps start/stop independent of whether the executor is already
// (or still) running, and cannot deadlock a worker waiting for its own strand.
// Lock order: call_mu_ before state_mu_; nothing is called out while state_mu_ is held.
// The thread holding call_mu_ is recorded (caller_): a "callback only" host function called
// from any other thread (a plugin's own thread) is refused and logged. Functions the ABI allows
// from any thread (submit_*, post, a deferred respond, kv writes, metric_record) copy what they
// are given at once and hand the plugin's part (completions, posted tasks) to the strand.
#pragma once

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "http/http_types.hpp"
#include "isolation/input_in_flight.hpp"
#include "plugin_host/blob_streams.hpp"
#include "plugin_host/channel_sender.hpp"
#include "plugin_host/conversation_notices.hpp"
#include "plugin_host/crash_book.hpp"
#include "plugin_host/http_fetcher.hpp"
#include "plugin_host/kv_writer.hpp"
#include "plugin_host/own_conversations.hpp"
#include "plugin_host/plugin_host.hpp"
#include "plugin_host/plugin_loader.hpp"
#include "plugin_host/plugin_metrics.hpp"
#include "store/channel_action.hpp"
#include "store/store.hpp"

#include <omnigate/plugin_abi.h>

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace omnigate::plugin_host {
class PluginInstance;
}

// The opaque og_host_ctx of plugin_abi.h: how a host function finds its instance. Lives inside
// the instance, so it is valid from create() until destroy() returns, as the ABI promises.
struct og_host_ctx {
  omnigate::plugin_host::PluginInstance* instance;
};

namespace omnigate::plugin_host {

// How the plugins reach the agents' live side (ABI 2.1, 2.2), set before any instance starts.
struct LiveHooks {
  SignalListener signalled;         // og_host_api.signal
  AvailabilityQuery availability;   // og_host_api.channel_availability
  store::ChannelActionHandler act;  // og_host_api.conversation_action (the routing dispatcher)
};

// What the instances share, owned by PluginHost and outliving every running instance.
struct HostServices {
  Executor& executor;
  store::Store& store;
  Metrics& metrics;
  HttpFetcher& fetcher;
  PluginHostOptions options;
  // After a new inbound message or channel event was committed; on the writer thread, so it
  // only queues the notice (PluginHost::on_committed).
  CommitListener committed;
  QueuePositions& queue_positions;  // get_conversation's queue positions
  CrashBook& crashes;               // quarantined inputs never reach the plugin
  const LiveHooks& live;            // signal, availability, actions (live_services.cpp)
};

class PluginInstance : public std::enable_shared_from_this<PluginInstance> {
 public:
  PluginInstance(HostServices& services, config::PluginInstanceConfig config,
                 std::shared_ptr<LoadedPlugin> plugin);
  PluginInstance(const PluginInstance&) = delete;
  PluginInstance& operator=(const PluginInstance&) = delete;

  const std::string& name() const { return config_.instance; }
  const LoadedPlugin& plugin() const { return *plugin_; }

  // create() then start(). On anything but OG_OK, `error` gets the plugin's message and nothing
  // of the instance stays alive (routes dropped, timers and fetches cancelled, destroy() called
  // if create() had succeeded).
  og_status start(std::string& error);
  // stop(), cancel timers/fetches, fail pending sends with `retry`, destroy(). Idempotent.
  void stop();
  bool running() const { return phase_ == Phase::running; }

  BlobStreams& blobs() { return blobs_; }  // og_host_api.blob_* (blob_streams.cpp)

  void mount(http::Router& router);
  std::vector<PluginHost::RouteInfo> routes() const;  // what mount() mounts, read-only
  void send(const store::OutboxItem& item, std::function<void(SendOutcome)> done);
  // Offers a released quarantined input to the plugin again: an HTTP request goes through its
  // route as if the provider sent it once more. `done` gets what came of it ("HTTP 200", or why
  // it could not be replayed).
  void replay(const isolation::CapturedInput& input, std::function<void(std::string)> done);
  // lookup_send (ABI 1.1); `unsupported` when the plugin has none.
  void lookup(const store::OutboxItem& item, std::function<void(LookupOutcome)> done);

  // ---- og_host_api, called by the plugin (host_api.cpp). `error` is filled on failure.
  void log(og_log_level level, std::string_view message);
  og_status register_http_route(std::string_view method, std::string_view path,
                                const og_route_options& options, og_http_handler_fn handler,
                                void* user, std::string& error);
  og_status register_ws_route(std::string_view path, const og_ws_handlers& handlers,
                              std::string& error);
  // Refuses (OG_PERMANENT, logged) a reply that cannot be sent (plugin_response.hpp): the
  // request is then answered 500, whatever the handler does afterwards.
  og_status respond(uint64_t request_id, const og_http_response* response, std::string& error);
  og_status submit_inbound(uint64_t request_id, const og_inbound_message& message,
                           og_commit_fn done, void* user, std::string& error);
  og_status submit_delivery(uint64_t request_id, const og_delivery_report& report,
                            og_commit_fn done, void* user, std::string& error);
  og_status submit_event(uint64_t request_id, const og_channel_event& event, og_commit_fn done,
                         void* user, std::string& error);
  void send_result(uint64_t ticket, const og_send_result& result);
  og_status list_unsettled_sends(int64_t sent_after_ms, int64_t sent_before_ms, int64_t after_id,
                                 int32_t limit, og_unsettled_visit_fn visit, void* user,
                                 int32_t& count, std::string& error);
  og_status ws_send(uint64_t conn_id, std::string_view data, bool is_text, std::string& error);
  og_status ws_close(uint64_t conn_id, int code, std::string_view reason);
  og_status set_timer(uint32_t delay_ms, uint64_t& timer_id, std::string& error);
  void cancel_timer(uint64_t timer_id);
  og_status http_fetch(const og_fetch_request& request, og_fetch_done_fn done, void* user,
                       uint64_t& fetch_id, std::string& error);
  og_status kv_get(std::string_view key, og_kv_visit_fn visit, void* user, bool& found,
                   std::string& error);
  og_status kv_put(std::string_view key, std::string_view value, og_kv_done_fn done, void* user,
                   std::string& error);
  og_status kv_delete(std::string_view key, og_kv_done_fn done, void* user, std::string& error);
  // ABI 2.0 services (plugin_instance_services.cpp).
  og_status post(og_task_fn fn, void* user, std::string& error);
  const og_host_info* host_info() const { return &host_info_; }
  og_status metric_register(og_metric_kind kind, std::string_view name, std::string_view help,
                            uint64_t& metric_id, std::string& error);
  void metric_record(uint64_t metric_id, double value);

  // ABI 2.1 (live_services.cpp): a customer's ephemeral signal, and who could take a new
  // conversation of this instance.
  og_status signal(const og_conversation_signal& signal, std::string& error);
  og_status channel_availability(const std::vector<og_skill_requirement>& skills,
                                 og_channel_availability& out, std::string& error);
  // ABI 2.2 (live_services.cpp): what happened on a live contact, checked here and applied by
  // LiveHooks::act; `done` runs on the strand with the outcome. And a customer by identity.
  og_status conversation_action(const og_conversation_action& action, og_commit_fn done, void* user,
                                std::string& error);
  og_status customer_lookup(std::string_view kind, std::string_view address,
                            og_customer_visit_fn visit, void* user, std::string& error);
  // og_plugin_api.on_command on the strand (live_services.cpp), for a conversation of this
  // instance with `thread_key`. `done` runs once: the plugin's answer, or not_possible when it
  // takes no commands or the instance is not running.
  void command(const store::ChannelCommand& command, const std::string& thread_key,
               std::function<void(store::ChannelCommandOutcome)> done);

  // og_plugin_api.on_conversation, on the strand (conversation_notices.cpp). Best effort.
  void notify_conversation(const store::ConversationChange& change, ConversationSnapshot snapshot);
  // og_host_api.get_conversation (conversation_notices.cpp): OG_NOT_FOUND unless the
  // conversation came through this instance.
  og_status get_conversation(int64_t conversation_id, og_conversation_visit_fn visit, void* user,
                             std::string& error);

 private:
  enum class Phase { idle, starting, running, stopping, stopped };

  struct HttpRoute {
    std::string method;  // "" = every method
    std::string path;    // below the mount, canonical ("/a/b")
    og_route_options options;
    og_http_handler_fn handler;
    void* user;
  };
  struct WsRoute {
    std::string path;
    og_ws_handlers handlers;
  };
  // An HTTP request handed to the plugin, whose reply waits for the handler and its commits.
  struct PendingRequest {
    uint64_t id = 0;
    http::Reply reply;
    std::optional<http::Response> response;
    int uncommitted = 0;  // submits with this request id not yet committed
    bool commit_failed = false;
    bool handler_returned = false;
    std::string refused;  // why a respond() or a submit for this request was refused: 500
    // The handler returned OG_PENDING: respond() may come later, from any thread, until the
    // host answers the request itself (respond_timeout_ms passed, or the instance stopped).
    bool deferred = false;
    uint64_t timeout_timer = 0;
    std::string answered_by_host;  // why the host answered a deferred request (503)
  };
  struct PostedTask {
    og_task_fn fn;
    void* user;
  };
  struct PendingCommit {
    og_commit_fn fn;
    void* user;
    std::optional<std::pair<og_status, int64_t>> outcome;  // set by the store's completion
    int64_t unsettled_id = 0;  // the id passed when the instance stops before an outcome
  };
  // A send_message or lookup_send ticket waiting for its send_result (exactly one of the two
  // completions is set).
  struct PendingSend {
    std::function<void(SendOutcome)> done;
    uint64_t timeout_timer = 0;
    std::function<void(LookupOutcome)> looked_up;
  };
  struct PendingFetch {
    og_fetch_done_fn fn;
    void* user;
    uint64_t fetcher_id = 0;
  };
  struct CommitOutcome {
    bool ok = false;
    std::string error;
    int64_t id = 0;
  };
  using StartWrite = std::function<void(std::function<void(CommitOutcome)> on_commit)>;

  // Holds call_mu_ for one call into the plugin and records the calling thread.
  class CallGuard {
   public:
    explicit CallGuard(PluginInstance& instance);
    ~CallGuard();
    CallGuard(const CallGuard&) = delete;
    CallGuard& operator=(const CallGuard&) = delete;

   private:
    PluginInstance& instance_;
    std::lock_guard<std::mutex> lock_;
  };

  bool accepts_plugin_calls() const;
  // True (and `error` set, the refusal logged, the request marked for a 500) when `function`,
  // "callback only", is called from a thread that is not inside a callback of this instance.
  bool refuse_outside_callback(std::string_view function, uint64_t request_id, std::string& error);
  // Records why request `request_id` cannot be answered as the plugin meant, and logs it.
  void refuse_reply(uint64_t request_id, std::string_view what, const std::string& reason);
  std::string mount_path(const std::string& path) const;
  // fn, run holding call_mu_ and keeping this instance alive.
  std::function<void()> holding_call_lock(std::function<void()> fn);
  void on_strand(std::function<void()> fn);  // runs fn on the strand holding call_mu_
  // The same, but runs fn at once on the calling worker thread when the strand is idle. Only for
  // callers that are never inside this instance's strand (an HTTP session's handler).
  void now_or_on_strand(std::function<void()> fn);
  void handle_http(const HttpRoute& route, const http::Request& request, http::Reply reply);
  void finish_request_if_ready(const std::shared_ptr<PendingRequest>& request);
  // True while respond() or a submit may still be tied to the request (state_mu_ held).
  static bool open_for_plugin(const PendingRequest& request);
  // Starts the respond_timeout_ms of a request whose handler returned OG_PENDING.
  void defer(const std::shared_ptr<PendingRequest>& request, uint32_t respond_timeout_ms);
  // The host answers a deferred request the plugin has not answered: 503, logged.
  void answer_deferred(uint64_t request_id, const std::string& why);
  void run_posted(uint64_t task_id);  // call_mu_ held
  og_status submit(uint64_t request_id, og_commit_fn done, void* user, std::string& error,
                   const StartWrite& start_write);
  void on_committed(const std::shared_ptr<PendingRequest>& request, uint64_t commit_key,
                    const CommitOutcome& outcome);
  void deliver_commit(uint64_t commit_key);  // call_mu_ held
  // A conversation_action's outcome from the dispatcher (any thread): to the strand.
  void settle_action(uint64_t commit_key, og_status status, int64_t conversation_id);
  // True when the conversation is this instance's (remembered, or one store read).
  bool owns_conversation(int64_t conversation_id);
  // Registers a ticket with its send timeout; `call` then runs on the strand (instance running).
  uint64_t begin_ticket(PendingSend pending);
  void complete_send(uint64_t ticket, og_status status, SendOutcome outcome);
  // On the strand, before a send or lookup reaches the plugin: when the instance stopped since
  // the ticket was issued, completes the ticket as a retry and returns true.
  bool settled_as_not_running(uint64_t ticket);
  void fire_timer(uint64_t timer_id);
  void deliver_fetch(uint64_t fetch_id, const FetchResult& result);  // call_mu_ held
  void drain_and_destroy(bool destroy_plugin);
  void notify_committed(const store::IngestResult& result, Committed what);

  HostServices& services_;
  const config::PluginInstanceConfig config_;
  const std::shared_ptr<LoadedPlugin> plugin_;  // keeps the library loaded
  const og_plugin_api& api_;
  const std::string channel_kind_;
  // {instance, channel}: the labels of every inbound message's counter, built once.
  const Labels instance_labels_;
  og_host_ctx ctx_;
  std::shared_ptr<Strand> strand_;
  std::atomic<uint64_t> next_id_{1};  // request ids, tickets, timer/fetch ids, commit keys
  std::atomic<Phase> phase_{Phase::idle};

  std::mutex call_mu_;                     // held during every call into the plugin (CallGuard)
  std::atomic<std::thread::id> caller_{};  // the thread holding call_mu_; none when free
  void* plugin_state_ = nullptr;           // create()'s *instance; guarded by call_mu_

  mutable std::mutex state_mu_;  // guards everything below
  std::vector<HttpRoute> routes_;
  std::vector<WsRoute> ws_routes_;
  std::map<uint64_t, std::shared_ptr<PendingRequest>> requests_;
  std::map<uint64_t, PendingCommit> commits_;
  std::map<uint64_t, PendingSend> sends_;
  std::map<uint64_t, uint64_t> timers_;  // plugin timer id → strand timer id (0 until known)
  std::map<uint64_t, PendingFetch> fetches_;
  std::map<uint64_t, std::shared_ptr<http::WsConnection>> ws_connections_;
  std::map<uint64_t, PostedTask> posts_;
  bool posts_closed_ = false;  // drain_and_destroy collected posts_: post() is refused from then

  KvWriter kv_;
  PluginMetrics plugin_metrics_;
  // host_info(): the strings it points into live as long as the instance.
  const std::string mount_path_;
  const std::string public_base_url_;
  og_host_info host_info_;

  BlobStreams blobs_;  // thread-safe on its own
  // Conversations known to be this instance's (committed through it, or replied to through
  // it): signal() checks ownership without a store read for them. Thread-safe on its own.
  OwnConversations own_conversations_;
};

}  // namespace omnigate::plugin_host
