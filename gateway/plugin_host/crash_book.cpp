#include "plugin_host/crash_book.hpp"

#include "core/clock.hpp"
#include "core/log.hpp"

namespace omnigate::plugin_host {

CrashBook::CrashBook(store::Store& store, Metrics& metrics, config::SupervisionConfig config)
    : store_(store), metrics_(metrics), config_(config) {}

void CrashBook::load(const std::vector<std::string>& instances) {
  const store::UnixMs since = now_ms() - config_.crash_loop_seconds * 1000LL;
  std::lock_guard lock(mu_);
  for (const auto& instance : instances) {
    for (const auto& entry : store_.quarantined_inputs(instance))
      quarantined_[instance].insert(entry.input_key);
    // The window's crashes (an in-process crash loop spans restarts), as times: only their
    // count matters, the window slides from now.
    const int n = store_.plugin_crash_count(instance, since);
    auto& recent = recent_[instance];
    recent.assign(static_cast<std::size_t>(n), now_ms());
  }
  any_quarantined_ = !quarantined_.empty();
}

bool CrashBook::record(const std::string& instance, const std::string& mode,
                       const std::string& reason,
                       const std::optional<isolation::CapturedInput>& input, store::UnixMs at) {
  metrics_.counter_add("omnigate_plugin_crashes_total",
                       "Crashes of plugin instances (a process that died, or the gateway itself "
                       "in in_process mode).",
                       {{"instance", instance}, {"mode", mode}}, 1);
  store::PluginCrash crash;
  crash.instance = instance;
  crash.mode = mode;
  crash.reason = reason;
  crash.at = at;
  std::string key;
  if (input) {
    crash.input_kind = isolation::to_string(input->kind);
    crash.input_key = key = input->key();
    crash.raw = input->raw_json();
  }
  store_.record_plugin_crash(
      std::move(crash), config_.quarantine_after,
      [this, instance, key](store::Outcome<store::CrashVerdict> outcome) {
        if (!outcome.ok) {
          log(LogLevel::error, "plugin_host",
              "instance " + instance + ": crash not recorded: " + outcome.error);
          return;
        }
        if (!outcome.value.newly_quarantined) return;
        {
          std::lock_guard lock(mu_);
          quarantined_[instance].insert(key);
          any_quarantined_ = true;
        }
        metrics_.counter_add("omnigate_plugin_quarantined_total",
                             "Inputs quarantined after crashing their plugin repeatedly.",
                             {{"instance", instance}}, 1);
        log(LogLevel::error, "plugin_host",
            "instance " + instance + ": input " + key + " quarantined after " +
                std::to_string(outcome.value.input_crashes) + " crashes (quarantine id " +
                std::to_string(outcome.value.quarantine_id) + "); see `omnigate quarantine show " +
                std::to_string(outcome.value.quarantine_id) + "`");
      });
  bool loops = false;
  {
    std::lock_guard lock(mu_);
    auto& recent = recent_[instance];
    recent.push_back(at);
    while (!recent.empty() && recent.front() < at - config_.crash_loop_seconds * 1000LL)
      recent.pop_front();
    loops = static_cast<int>(recent.size()) >= config_.crash_loop_crashes;
    if (loops) recent.clear();  // an operator's enable starts a fresh window
  }
  if (loops) {
    const std::string why = "crash loop: " + std::to_string(config_.crash_loop_crashes) +
                            " crashes within " + std::to_string(config_.crash_loop_seconds) +
                            " s (last: " + reason + ")";
    store_.set_plugin_instance_disabled(instance, true, why, "system",
                                        [](store::Outcome<store::Nothing>) {});
    metrics_.counter_add("omnigate_plugin_disabled_total",
                         "Plugin instances disabled by the crash-loop guard.",
                         {{"instance", instance}}, 1);
  }
  return loops;
}

bool CrashBook::quarantined(const isolation::InputInFlight& input) const {
  if (!any_quarantined_.load(std::memory_order_relaxed)) return false;
  std::lock_guard lock(mu_);
  auto it = quarantined_.find(input.instance ? input.instance : "");
  if (it == quarantined_.end() || it->second.empty()) return false;
  return it->second.count(isolation::CapturedInput::capture(input).key()) != 0;
}

void CrashBook::released(const std::string& instance, const std::string& input_key) {
  std::lock_guard lock(mu_);
  auto it = quarantined_.find(instance);
  if (it != quarantined_.end()) it->second.erase(input_key);
}

std::optional<std::string> CrashBook::disabled_reason(const std::string& instance) {
  for (const auto& state : store_.plugin_instance_states()) {
    if (state.instance == instance && state.disabled) return state.reason;
  }
  return std::nullopt;
}

}  // namespace omnigate::plugin_host
