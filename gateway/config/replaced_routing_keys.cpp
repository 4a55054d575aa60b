#include "config/replaced_routing_keys.hpp"

#include "config/config.hpp"

#include <nlohmann/json.hpp>

namespace omnigate::config {

void refuse_replaced_routing_keys(const std::string& routing_policy_json) {
  if (routing_policy_json.empty()) return;
  const auto policy = nlohmann::json::parse(routing_policy_json, nullptr, false);
  // routing.sla.complaint_escalation raised complaint levels on a timer, to role names; the
  // complaint ladder (docs/service-processes.md) replaced it.
  if (!policy.is_object() || !policy.contains("sla") || !policy["sla"].is_object() ||
      !policy["sla"].contains("complaint_escalation"))
    return;
  throw ConfigError(
      "routing.sla.complaint_escalation: no longer supported; complaints escalate through the "
      "complaint ladder, whose windows are the [complaints] section (docs/service-processes.md): "
      "remove this key");
}

}  // namespace omnigate::config
