// What an API token's scopes let it do (docs/api.md "API tokens"). A scope names a part of the
// API by the roles its routes are guarded with, and whether it may change anything; a token
// passes a route when its user's roles do AND one of its scopes covers the route and the method.
#pragma once

#include "store/model.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace omnigate::api {

struct TokenScope {
  std::string_view name;
  // The scope covers a route that any of these roles may use…
  std::vector<store::Role> route_roles;
  // …for reads only (GET, HEAD) when set.
  bool read_only = false;
};

// conversations:read — read what agents, supervisors and QA read (queues, transcripts, reports);
// messages:write — also act as an agent or supervisor (reply, note, transfer, resolve);
// admin — the admin API (users, agents, teams, tokens, audit).
const std::vector<TokenScope>& token_scopes();

bool is_token_scope(std::string_view name);

// Whether `scopes` cover a request with `method` to a route guarded for `route_roles`.
bool scopes_allow(const std::vector<std::string>& scopes,
                  const std::vector<store::Role>& route_roles, std::string_view method);

}  // namespace omnigate::api
