#include "api/token_scopes.hpp"
#include "api/role_guard.hpp"

#include <catch2/catch.hpp>

using namespace omnigate;
using namespace omnigate::api;
using store::Role;

namespace {

Caller caller(std::vector<Role> roles, std::string kind, std::vector<std::string> scopes = {}) {
  Caller c;
  c.user.roles = std::move(roles);
  c.credential_kind = std::move(kind);
  c.scopes = std::move(scopes);
  return c;
}

const std::vector<Role> kEveryone{Role::agent, Role::supervisor, Role::qa, Role::admin};
const std::vector<Role> kAgentWork{Role::agent, Role::supervisor};  // reply, resolve, transfer
const std::vector<Role> kSupervisors{Role::supervisor, Role::admin};
const std::vector<Role> kAdmins{Role::admin};

}  // namespace

TEST_CASE("a user passes a route when any one of their roles is allowed") {
  const auto sam = caller({Role::agent, Role::qa}, "session");
  CHECK(may_access(sam, kAgentWork, "POST"));  // as agent
  CHECK(may_access(sam, {Role::qa}, "GET"));   // as QA
  CHECK_FALSE(may_access(sam, kSupervisors, "GET"));
  CHECK_FALSE(may_access(sam, kAdmins, "POST"));
  // Sessions and the user's own token are not scoped: the roles decide.
  CHECK(may_access(caller({Role::admin}, "user"), kAdmins, "DELETE"));
}

TEST_CASE("an API token may do what both its user's roles and its scopes allow") {
  const std::vector<std::string> read{"conversations:read"};
  const std::vector<std::string> write{"messages:write"};
  const std::vector<std::string> admin{"admin"};

  // read-only: GET where the user may, never a change.
  CHECK(may_access(caller({Role::agent}, "api", read), kEveryone, "GET"));
  CHECK_FALSE(may_access(caller({Role::agent}, "api", read), kAgentWork, "POST"));
  CHECK_FALSE(may_access(caller({Role::agent}, "api", read), kSupervisors, "GET"));  // the role
  // An admin's read-only token reads conversations but not the admin API (audit, users).
  CHECK(may_access(caller({Role::admin}, "api", read), kEveryone, "GET"));
  CHECK_FALSE(may_access(caller({Role::admin}, "api", read), kAdmins, "GET"));

  // messages:write acts as an agent or supervisor; QA holds neither, so it gains nothing.
  CHECK(may_access(caller({Role::agent}, "api", write), kAgentWork, "POST"));
  CHECK_FALSE(may_access(caller({Role::qa}, "api", write), kAgentWork, "POST"));
  CHECK_FALSE(may_access(caller({Role::admin, Role::agent}, "api", write), kAdmins, "POST"));

  // admin scope: the admin API, but only for an admin.
  CHECK(may_access(caller({Role::admin}, "api", admin), kAdmins, "POST"));
  CHECK_FALSE(may_access(caller({Role::supervisor}, "api", admin), kAdmins, "POST"));

  // No scope, no access; unknown scopes count for nothing.
  CHECK_FALSE(may_access(caller({Role::admin}, "api", {}), kEveryone, "GET"));
  CHECK_FALSE(may_access(caller({Role::admin}, "api", {"everything"}), kEveryone, "GET"));
  CHECK(is_token_scope("messages:write"));
  CHECK_FALSE(is_token_scope("messages"));
}
