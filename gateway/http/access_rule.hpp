// Who may call a route. Every route is registered with one (Router::add), so the route table
// the gateway serves can be listed with its rules (GET /api/v1/admin/routes) and a test can try
// every route with every role: a route cannot exist without saying who may use it.
#pragma once

#include "http/http_types.hpp"

#include <string>
#include <vector>

namespace omnigate::http {

struct AccessRule {
  enum class Kind {
    roles,   // an authenticated user holding one of `roles` (bearer token or session cookie)
    anyone,  // no credential: health, metrics, login, the console's static files
    plugin,  // a channel plugin's route under /channels/: the plugin checks the provider's
             // signature or its own widget session itself
    ticket,  // a WebSocket upgrade with a one-use stream ticket (or a bearer token) of a user
             // holding one of `roles`
  };
  Kind kind = Kind::roles;
  std::vector<std::string> roles;  // role names (store::to_string), for roles and ticket

  static AccessRule for_roles(std::vector<std::string> roles);
  static AccessRule for_anyone();
  static AccessRule for_plugin();
  static AccessRule for_ticket(std::vector<std::string> roles);
};

// "roles", "anyone", "plugin" or "ticket": the rule's name in the route listing.
const char* to_string(AccessRule::Kind kind);

// A handler with the rule it is guarded by: what api::guarded() makes.
struct Endpoint {
  AccessRule access;
  Handler handler;
};

}  // namespace omnigate::http
