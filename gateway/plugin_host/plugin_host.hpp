// The plugin host: loads channel plugins (shared libraries speaking plugin_abi.h), runs each
// instance on its own strand, mounts their HTTP/WebSocket routes under /channels/<instance>,
// commits what they submit to the store before the provider sees a 2xx, and delivers outbox
// rows through them (ChannelSender).
#pragma once

#include "config/config.hpp"
#include "core/executor.hpp"
#include "core/metrics.hpp"
#include "isolation/input_in_flight.hpp"
#include "plugin_host/channel_sender.hpp"
#include "store/channel_action.hpp"
#include "store/channel_command.hpp"
#include "store/conversation_change.hpp"
#include "store/model.hpp"
#include "store/store.hpp"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace omnigate {

namespace http {
class Router;
}

struct PluginHostOptions {
  std::string plugin_dir;       // relative plugin files resolve here
  int send_timeout_ms = 30000;  // no send_result by then → SendOutcome retry
  int fetch_timeout_ms = 15000;
  std::size_t max_fetch_response_bytes = 4 * 1024 * 1024;
  // A route's body limit when the plugin asks for none (og_route_options.max_body_bytes 0).
  std::uint64_t default_max_body_bytes = 1024 * 1024;
  std::string public_base_url = {};  // [server] public_base_url, for host_info ("" unset)
  std::string attachments_dir;       // the store's attachment files: where plugins' blobs go
  config::SupervisionConfig supervision = {};  // crashes: quarantine, crash loop, restarts
  // The omnigate binary that runs plugin-host processes ("" = this process's own executable).
  std::string executable = {};
};

// What a commit of a plugin's submit stored (PluginHost::on_committed).
enum class Committed { customer_message, channel_event };
using CommitListener = std::function<void(const std::string& instance,
                                          const store::IngestResult& result, Committed what)>;

// Who could take a new conversation of an instance now (og_host_api.channel_availability).
struct ChannelAvailability {
  int agents_online = 0;  // online agents with the skills and capacity > 0 for the channel kind
  int agents_free = 0;    // of those, with spare capacity now
  int queued = 0;         // conversations of the instance waiting in the queue
  std::int64_t expected_wait_ms = -1;  // for a new conversation; -1 unknown
};
// (skill, min level) pairs as the plugin asked.
using SkillNeeds = std::vector<std::pair<std::string, int>>;
using AvailabilityQuery = std::function<ChannelAvailability(
    const std::string& instance, const std::string& channel_kind, const SkillNeeds& skills)>;
// og_host_api.signal, checked: the conversation is the instance's, the kind and data valid.
using SignalListener = std::function<void(const std::string& instance, std::int64_t conversation_id,
                                          const std::string& kind, const std::string& data_json)>;

class PluginHost final : public ChannelSender {
 public:
  PluginHost(Executor& executor, store::Store& store, Metrics& metrics, PluginHostOptions options);
  ~PluginHost() override;  // stops everything still running
  PluginHost(const PluginHost&) = delete;
  PluginHost& operator=(const PluginHost&) = delete;

  // Load, create and start every enabled instance. A plugin that fails to load (message names the
  // file and the reason), declines, or fails create/start stays disabled; the others go on.
  void start(const std::vector<config::PluginInstanceConfig>& instances);
  void stop();  // stop + destroy every instance, cancel fetches/timers
  // Mount every route the instances registered (exact paths /channels/<instance><path>, HTTP
  // and WebSocket). Call after start(), before the server runs.
  void register_routes(http::Router& router);
  // Listener called after an inbound message or channel event is committed, on the store's
  // writer thread and before the next batch starts: it must only hand the notice on (queue it),
  // never do real work or wait there.
  void on_committed(CommitListener fn);

  // Before start(): where the plugins' og_host_api.signal goes (the agents' event stream), any
  // thread, so it must only hand the signal on. Without one a signal is checked and dropped.
  void on_signal(SignalListener fn);
  // Before start(): how og_host_api.channel_availability is answered (any thread; it must not
  // wait for the routing strand). Without one the function answers OG_RETRY.
  void answer_availability(AvailabilityQuery fn);
  // Before start(): who applies og_host_api.conversation_action (the routing dispatcher). Called
  // on the plugin's thread: it must only hand the action on. Without one the function answers
  // OG_RETRY.
  void on_channel_action(store::ChannelActionHandler fn);

  // Hands an agent's command to the instance that owns the conversation (its on_command, on the
  // instance's strand). Any thread; `done` runs once, on the strand or at once.
  void command(store::ChannelCommand command,
               std::function<void(store::ChannelCommandOutcome)> done);

  // Tells the instance that owns the conversation (og_plugin_api.on_conversation). Any thread,
  // the store's writer thread included: it only queues the notice; the store reads and the
  // plugin call happen on other threads, in order per conversation. Best effort.
  void conversation_changed(const store::ConversationChange& change);

  struct InstanceInfo {
    std::string instance, plugin, version, channel_kind, file, state, reason;
    std::string isolation;  // "process" | "in_process"
    int restarts = 0;       // plugin-host processes started again after a crash
  };
  // state: "running" | "degraded" (its plugin-host process is restarting) | "disabled" |
  // "failed"
  std::vector<InstanceInfo> instances() const;

  // Reads the instances' quarantined inputs and recent crashes from the store (start() does it
  // when it has not been done): call it first when record_crash comes before start().
  void load_crash_history(const std::vector<config::PluginInstanceConfig>& instances);
  // A crash an in-process plugin left in the crash record file (read at start, before start()):
  // recorded like a plugin-host process's death (CrashBook).
  void record_crash(const std::string& instance, const std::string& reason,
                    const std::optional<isolation::CapturedInput>& input, store::UnixMs at);
  // Re-enables an instance the crash-loop guard disabled: a process-mode instance disabled
  // while the gateway runs starts a new plugin-host process at once. False when the instance is
  // not disabled here (an instance disabled when the gateway started runs after a restart:
  // its routes were never mounted).
  bool enable(const std::string& instance);
  // Acts on what operators changed in the store (the API, or the CLI from another process):
  // enabled instances, released inputs (replayed to their plugin). Called periodically.
  void apply_operator_changes();

  // A route a running instance registered, read-only (for `omnigate plugins conform`).
  struct RouteInfo {
    std::string method;  // "" = every method; "GET" for a WebSocket route
    std::string path;    // the full mounted path, "/channels/<instance>/sms"
    bool websocket = false;
    std::uint64_t max_body_bytes = 0;      // the plugin's ceiling (0 = host default)
    std::uint32_t respond_timeout_ms = 0;  // deferred replies (0 = host default)
  };
  // Empty when `instance` is not running.
  std::vector<RouteInfo> routes(const std::string& instance) const;

  void send(const store::OutboxItem& item, std::function<void(SendOutcome)> done) override;
  // `unsupported` when the instance is not running or unknown: send() then gives the reason.
  void lookup(const store::OutboxItem& item, std::function<void(LookupOutcome)> done) override;

 private:
  class Impl;
  std::shared_ptr<Impl> impl_;
};

struct PluginInspection {
  bool ok = false;
  std::string error;  // error names the file and the reason
  std::string name, version, channel_kind, description, config_schema_json;
  uint32_t abi_major = 0, abi_minor = 0;
};
// dlopen + every ABI check, without creating an instance (for `omnigate plugins check FILE`).
PluginInspection inspect_plugin(const std::string& path);

}  // namespace omnigate
