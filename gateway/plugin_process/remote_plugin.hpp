// A plugin instance running in a supervised plugin-host process (isolation = "process").
//
// To the gateway it is a plugin like any other: api() is an og_plugin_api whose functions call
// the child process, and the child calls back through the real og_host_api of the instance's
// PluginInstance — so strands, commit-before-reply, deferred replies, timers and every other
// rule of the plugin host apply unchanged, and the plugin in the child cannot tell either.
//
// What it adds is surviving the child. When the child dies (a signal, an exit, a call not
// answered within call_timeout, memory above its ceiling), the in-flight call is answered as
// a failure the caller retries (HTTP 503, send → outbox retry, WebSocket upgrade refused),
// everything the dead child had open is settled (tickets → retry, deferred requests → 503,
// WebSocket connections closed with 1012 so clients reconnect, its timers cancelled, blob
// writers aborted), the death is reported with the input that was inside the plugin, and a new
// child is started after a backoff — on the instance's strand, through the host's own timer,
// so the restart is a callback like any other. Routes stay mounted across restarts (the new
// child's registrations are matched to the first child's). A death report that says the
// instance crash-loops disables it until enable().
#pragma once

#include "isolation/input_in_flight.hpp"

#include <omnigate/plugin_abi.h>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace omnigate::plugin_process {

struct ProcessOptions {
  std::string executable;                // the omnigate binary the child runs ("plugin-host")
  std::uint64_t memory_limit_bytes = 0;  // resident memory ceiling (0 = none)
  std::uint64_t open_files_limit = 0;    // RLIMIT_NOFILE in the child (0 = inherited)
  std::chrono::milliseconds call_timeout{10000};  // watchdog: a call not answered by then kills
  std::chrono::milliseconds backoff_min{100};     // first restart delay, doubled per crash...
  std::chrono::milliseconds backoff_max{30000};   // ...up to this
};

struct ChildDeath {
  std::string instance;
  std::string reason;  // "killed by signal 11 (SIGSEGV)", "no answer within 10000 ms (watchdog)"
  std::optional<isolation::CapturedInput> input;  // what was inside the plugin, if anything
};

struct RemoteHooks {
  // A child died. Returns true when the instance must be disabled (crash loop). Any thread;
  // must not block.
  std::function<bool(const ChildDeath&)> died;
  // The instance's state changed ("running", "degraded", "disabled"), for health and metrics.
  std::function<void(const std::string& state, const std::string& reason)> state_changed;
};

class RemotePlugin {
 public:
  struct Launch {
    std::shared_ptr<RemotePlugin> plugin;  // null on error
    std::string error;                     // "<file>: <reason>", as load_plugin words it
  };
  // Starts the child and loads `file` in it (the ABI checks of load_plugin run there).
  static Launch launch(const std::string& file, const std::string& instance, ProcessOptions options,
                       RemoteHooks hooks);
  ~RemotePlugin();
  RemotePlugin(const RemotePlugin&) = delete;
  RemotePlugin& operator=(const RemotePlugin&) = delete;

  // The proxy table. name/version/... point into this object.
  const og_plugin_api& api() const { return api_; }

  struct Status {
    std::string state;  // "running" | "degraded" (restarting) | "disabled" | "stopped"
    std::string reason;
    int restarts = 0;
    pid_t pid = -1;
  };
  Status status() const;
  // A disabled instance starts a new child now; true when it was disabled.
  bool enable();

  class Impl;

 private:
  explicit RemotePlugin(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
  og_plugin_api api_{};
};

}  // namespace omnigate::plugin_process
