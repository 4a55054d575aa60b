#include "plugin_host/plugin_metrics.hpp"

#include <algorithm>
#include <cmath>

namespace omnigate::plugin_host {
namespace {

constexpr std::size_t max_metric_name_bytes = 64;
constexpr std::string_view prefix = "omnigate_plugin_";
// What the host exports under the same prefix itself: a plugin metric must not mix into them.
constexpr std::string_view host_owned[] = {"inbound_total", "outbound_total", "state"};

const char* type_of(og_metric_kind kind) {
  switch (kind) {
    case OG_METRIC_COUNTER:
      return "counter";
    case OG_METRIC_GAUGE:
      return "gauge";
    case OG_METRIC_HISTOGRAM:
      return "histogram";
    default:
      return nullptr;
  }
}

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > max_metric_name_bytes) return false;
  if (name.front() >= '0' && name.front() <= '9') return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

PluginMetrics::PluginMetrics(Metrics& metrics, std::string instance, std::string plugin)
    : metrics_(metrics),
      labels_{{"instance", std::move(instance)}, {"plugin", std::move(plugin)}} {}

og_status PluginMetrics::register_metric(og_metric_kind kind, std::string_view name,
                                         std::string_view help, std::uint64_t& id,
                                         std::string& error) {
  const char* type = type_of(kind);
  if (type == nullptr) {
    error =
        "metric kind " + std::to_string(kind) + " is not OG_METRIC_COUNTER, _GAUGE or _HISTOGRAM";
    return OG_PERMANENT;
  }
  if (!valid_name(name)) {
    error = "metric name \"" + std::string(name) + "\" must be [a-z_][a-z0-9_]*, at most " +
            std::to_string(max_metric_name_bytes) + " bytes";
    return OG_PERMANENT;
  }
  if (std::find(std::begin(host_owned), std::end(host_owned), name) != std::end(host_owned)) {
    error = "metric name \"" + std::string(name) + "\" is exported by the host itself";
    return OG_PERMANENT;
  }
  std::string full_name = std::string(prefix) + std::string(name);
  std::lock_guard lock(mu_);
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].full_name != full_name) continue;
    if (entries_[i].kind != kind) {
      error = "metric \"" + std::string(name) + "\" is already registered as a " +
              type_of(entries_[i].kind);
      return OG_PERMANENT;
    }
    id = i + 1;
    return OG_OK;
  }
  std::string text = help.empty() ? "Plugin metric " + std::string(name) : std::string(help);
  if (!metrics_.declare(full_name, text, type)) {
    error = "metric \"" + std::string(name) + "\" is already exported with another kind";
    return OG_PERMANENT;
  }
  // A counter is listed at 0 from the start, so a rate() over it sees its first increment.
  if (kind == OG_METRIC_COUNTER) metrics_.counter_add(full_name, text, labels_, 0);
  entries_.push_back(Entry{std::move(full_name), std::move(text), kind});
  id = entries_.size();
  return OG_OK;
}

void PluginMetrics::record(std::uint64_t id, double value) {
  if (std::isnan(value)) return;
  const Entry* found = nullptr;
  {
    std::lock_guard lock(mu_);
    if (id == 0 || id > entries_.size()) return;
    found = &entries_[id - 1];
  }
  const Entry& entry = *found;
  switch (entry.kind) {
    case OG_METRIC_COUNTER:
      if (value >= 0 && std::isfinite(value))
        metrics_.counter_add(entry.full_name, entry.help, labels_, value);
      break;
    case OG_METRIC_GAUGE:
      metrics_.gauge_set(entry.full_name, entry.help, labels_, value);
      break;
    case OG_METRIC_HISTOGRAM:
      metrics_.observe(entry.full_name, entry.help, labels_, value);
      break;
    default:
      break;
  }
}

}  // namespace omnigate::plugin_host
