// PluginInstance: the ABI 2.0 services a plugin calls from its own threads or to describe
// itself — post (work handed back onto the strand) and plugin metrics. host_info is a member
// built with the instance (plugin_instance.hpp).
#include "plugin_host/plugin_instance.hpp"

#include <thread>

namespace omnigate::plugin_host {

og_status PluginInstance::post(og_task_fn fn, void* user, std::string& error) {
  if (fn == nullptr) {
    error = "post needs a task function";
    return OG_PERMANENT;
  }
  const uint64_t id = next_id_.fetch_add(1);
  {
    // Checked under state_mu_, which drain_and_destroy takes to collect the tasks to cancel:
    // a task is either collected there (cancelled before destroy) or refused here. A task
    // posted while the instance stops (from stop() itself, say) runs cancelled.
    std::lock_guard lock(state_mu_);
    if (posts_closed_) {
      error = "channel instance is not running";
      return OG_RETRY;
    }
    posts_[id] = PostedTask{fn, user};
  }
  on_strand([self = shared_from_this(), id] { self->run_posted(id); });
  return OG_OK;
}

void PluginInstance::run_posted(uint64_t task_id) {
  PostedTask task{};
  {
    std::lock_guard lock(state_mu_);
    auto it = posts_.find(task_id);
    if (it == posts_.end()) return;  // already run as cancelled by drain_and_destroy
    task = it->second;
    posts_.erase(it);
  }
  task.fn(task.user, phase_ == Phase::running ? 0 : 1);
}

og_status PluginInstance::metric_register(og_metric_kind kind, std::string_view name,
                                          std::string_view help, uint64_t& metric_id,
                                          std::string& error) {
  if (phase_ != Phase::starting || caller_.load() != std::this_thread::get_id()) {
    error = "metrics can only be registered during create() or start()";
    return OG_PERMANENT;
  }
  return plugin_metrics_.register_metric(kind, name, help, metric_id, error);
}

void PluginInstance::metric_record(uint64_t metric_id, double value) {
  plugin_metrics_.record(metric_id, value);
}

}  // namespace omnigate::plugin_host
