#include "plugin_host/route_limits.hpp"

#include <algorithm>

namespace omnigate::plugin_host {

RouteBodyLimit route_body_limit(const std::string& path, std::uint64_t plugin_ceiling,
                                std::uint64_t host_default,
                                const std::map<std::string, std::uint64_t>& operator_limits) {
  RouteBodyLimit out;
  const std::uint64_t ceiling = plugin_ceiling != 0 ? plugin_ceiling : host_default;
  out.bytes = ceiling;
  const auto it = operator_limits.find(path);
  if (it == operator_limits.end()) return out;
  out.bytes = std::min(it->second, ceiling);
  if (it->second > ceiling) {
    out.warning = "body_limits \"" + path + "\" = " + std::to_string(it->second) +
                  " is above the plugin's ceiling for that route; clipped to " +
                  std::to_string(ceiling) + " bytes";
  }
  return out;
}

std::vector<std::string> unused_body_limits(
    const std::map<std::string, std::uint64_t>& operator_limits,
    const std::vector<std::string>& route_paths) {
  std::vector<std::string> out;
  for (const auto& [path, bytes] : operator_limits) {
    if (std::find(route_paths.begin(), route_paths.end(), path) == route_paths.end())
      out.push_back(path);
  }
  return out;
}

}  // namespace omnigate::plugin_host
