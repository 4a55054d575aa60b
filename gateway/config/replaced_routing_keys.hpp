// Keys of the routing policy ([routing], as JSON) that the gateway no longer honours: a policy
// that sets one is refused where it is loaded (the config file at start and SIGHUP, the admin
// API's routing reload) instead of loading with the key doing nothing.
#pragma once

#include <string>

namespace omnigate::config {

// Throws ConfigError naming the key and what replaced it: routing.sla.complaint_escalation
// (the complaint ladder's [complaints] section). Invalid JSON is left to the policy parser.
void refuse_replaced_routing_keys(const std::string& routing_policy_json);

}  // namespace omnigate::config
