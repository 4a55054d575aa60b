// Accounts beyond the user row (docs/api.md "Authentication"): the credentials that stand for a
// user (their own token, login sessions, scoped API tokens), failed logins counted towards a
// lock-out, and reads of the append-only audit log.
#pragma once

#include "store/model.hpp"

#include <optional>
#include <string>
#include <vector>

namespace omnigate::store {

// Something a caller presents (bearer token or session cookie); only its SHA-256 is stored.
struct Credential {
  Id id = 0;         // 0 for the user's own token (config, CLI, POST /admin/users)
  std::string kind;  // "user" | "session" | "api"
  User user;
  std::vector<std::string> scopes;  // "api" tokens only: what the token may do of what its user may
  std::string label;                // "api" tokens: what the integration calls it
  UnixMs created_at = 0;
  std::optional<UnixMs> expires_at;  // sessions: void from then on

  bool expired_at(UnixMs now) const { return expires_at && now >= *expires_at; }
};

// Failed logins of one name since its last success or lock-out.
struct LoginFailures {
  int count = 0;
  UnixMs locked_until = 0;  // 0 = never locked

  bool locked_at(UnixMs now) const { return now < locked_until; }
};

struct LockoutPolicy {
  int failures = 5;                       // this many in a row lock the name
  std::int64_t lock_ms = 15 * 60 * 1000;  // for this long
};

// The state after one more failure at `now`: the failure that reaches the limit locks the name
// and starts a new count, so the next window begins afresh once the lock ends.
LoginFailures after_login_failure(LoginFailures before, UnixMs now, const LockoutPolicy& policy);

// GET /api/v1/admin/audit: every field optional; newest first, `before_id` pages backwards.
struct AuditFilter {
  std::string actor;
  std::string action;       // exact, or a prefix ending in '.' ("auth.")
  UnixMs from = 0, to = 0;  // [from, to); 0 = open
  Id before_id = 0;         // 0 = from the newest
  int limit = 100;
};

struct AuditEntry {
  Id id = 0;
  AuditRecord record;
};

}  // namespace omnigate::store
