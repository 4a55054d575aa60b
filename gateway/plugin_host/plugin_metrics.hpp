// Metrics a plugin instance publishes (og_host_api.metric_register / metric_record), exported
// under /metrics as omnigate_plugin_<name>{instance="...",plugin="..."}. Names are registered
// during create/start only; recording is lock-light and never waits on I/O, from any thread.
#pragma once

#include "core/metrics.hpp"

#include <omnigate/plugin_abi.h>

#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>

namespace omnigate::plugin_host {

class PluginMetrics {
 public:
  PluginMetrics(Metrics& metrics, std::string instance, std::string plugin);

  // The same name and kind registered again give the same id; a name already used with another
  // kind (by this instance or another one) or a name the host itself exports is refused.
  og_status register_metric(og_metric_kind kind, std::string_view name, std::string_view help,
                            std::uint64_t& id, std::string& error);
  // Unknown ids, NaN, and negative counter increments are ignored.
  void record(std::uint64_t id, double value);

 private:
  struct Entry {
    std::string full_name;
    std::string help;
    og_metric_kind kind;
  };
  Metrics& metrics_;
  const Labels labels_;
  mutable std::mutex mu_;
  std::deque<Entry> entries_;  // id = index + 1; only appended (references stay valid)
};

}  // namespace omnigate::plugin_host
