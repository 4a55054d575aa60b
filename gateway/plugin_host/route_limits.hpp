// How large a request body each plugin route accepts: the plugin states a ceiling when it
// registers the route (og_route_options.max_body_bytes, 0 = the host default), the operator may
// set a per-route limit in the instance's config ([[plugins]] body_limits), and the effective
// limit is the operator's value clipped to the ceiling — a plugin that buffers a body in memory
// is never handed more than it asked for.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace omnigate::plugin_host {

struct RouteBodyLimit {
  std::uint64_t bytes = 0;
  std::string warning;  // non-empty when the operator's value was clipped to the ceiling
};

// `path` is the route's path below the mount ("/inbound"); `plugin_ceiling` 0 = host default.
RouteBodyLimit route_body_limit(const std::string& path, std::uint64_t plugin_ceiling,
                                std::uint64_t host_default,
                                const std::map<std::string, std::uint64_t>& operator_limits);

// Operator limits naming no registered route (a typo the operator should hear about).
std::vector<std::string> unused_body_limits(
    const std::map<std::string, std::uint64_t>& operator_limits,
    const std::vector<std::string>& route_paths);

}  // namespace omnigate::plugin_host
