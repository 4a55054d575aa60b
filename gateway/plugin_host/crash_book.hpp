// What the gateway makes of plugin crashes, in both isolation modes: each crash is recorded in
// the store with the input that was inside the plugin; an input that crashed its plugin
// quarantine_after times is quarantined (the store keeps it raw; the plugin never sees it
// again unless an operator releases it); an instance that crashed crash_loop_crashes times
// within crash_loop_seconds is disabled (persisted, so a restart keeps it off) until an
// operator enables it.
//
// Crashes reach it from the plugin-host supervisor (isolation = "process", while the gateway
// runs) and from the crash records an in-process crash left behind (read at the next start).
#pragma once

#include "config/config.hpp"
#include "core/metrics.hpp"
#include "isolation/input_in_flight.hpp"
#include "store/store.hpp"

#include <atomic>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace omnigate::plugin_host {

class CrashBook {
 public:
  CrashBook(store::Store& store, Metrics& metrics, config::SupervisionConfig config);

  // Reads the quarantined inputs and the crash window of the instances from the store.
  void load(const std::vector<std::string>& instances);

  // Records a crash. True when the instance crash-loops and must be disabled (the disabled
  // state is then written to the store, with a log line). Never blocks on the store.
  bool record(const std::string& instance, const std::string& mode, const std::string& reason,
              const std::optional<isolation::CapturedInput>& input, store::UnixMs at);

  // True when `input` is quarantined: it must not reach the plugin. Costs nothing for an
  // instance without quarantined inputs.
  bool quarantined(const isolation::InputInFlight& input) const;

  // An operator released a quarantined input: it may reach the plugin again.
  void released(const std::string& instance, const std::string& input_key);

  // Whether the store says the instance is disabled, and why.
  std::optional<std::string> disabled_reason(const std::string& instance);

 private:
  store::Store& store_;
  Metrics& metrics_;
  const config::SupervisionConfig config_;
  mutable std::mutex mu_;
  std::map<std::string, std::set<std::string>> quarantined_;  // instance → input keys
  std::atomic<bool> any_quarantined_{false};
  std::map<std::string, std::deque<store::UnixMs>> recent_;  // instance → crash times in window
};

}  // namespace omnigate::plugin_host
