#include "api/token_scopes.hpp"

#include <algorithm>

namespace omnigate::api {

using store::Role;

const std::vector<TokenScope>& token_scopes() {
  static const std::vector<TokenScope> kScopes{
      {"conversations:read", {Role::agent, Role::supervisor, Role::qa}, true},
      {"messages:write", {Role::agent, Role::supervisor}, false},
      {"admin", {Role::admin}, false},
  };
  return kScopes;
}

bool is_token_scope(std::string_view name) {
  const auto& all = token_scopes();
  return std::any_of(all.begin(), all.end(), [&](const TokenScope& s) { return s.name == name; });
}

bool scopes_allow(const std::vector<std::string>& scopes,
                  const std::vector<store::Role>& route_roles, std::string_view method) {
  const bool reads = method == "GET" || method == "HEAD";
  for (const auto& scope : token_scopes()) {
    if (std::find(scopes.begin(), scopes.end(), scope.name) == scopes.end()) continue;
    if (scope.read_only && !reads) continue;
    for (Role r : scope.route_roles)
      if (std::find(route_roles.begin(), route_roles.end(), r) != route_roles.end()) return true;
  }
  return false;
}

}  // namespace omnigate::api
