// SqliteStore: users and their roles and preferences, the credentials that stand for them,
// passwords, failed logins and reads of the audit log (account_records.hpp, docs/api.md
// "Authentication").
#include "store/attachment_files.hpp"
#include "store/sqlite_store.hpp"

#include <sstream>
#include <stdexcept>

namespace omnigate::store {
namespace {

using sqlite::Query;

// Throws when the last statement touched no row, so the completion reports a clear error.
void require_changed(sqlite::Connection& db, const std::string& error) {
  if (db.changes() == 0) throw std::invalid_argument(error);
}

std::vector<Role> roles_of(sqlite::Connection& db, const std::string& user_name) {
  Query q(db.cached("SELECT role FROM user_roles WHERE user_name = ?"), user_name);
  std::vector<Role> roles;
  while (q.step())
    if (auto r = role_from_string(q->text(0))) roles.push_back(*r);
  return normalised_roles(std::move(roles));
}

std::optional<User> user_named(sqlite::Connection& db, const std::string& name) {
  Query q(db.cached("SELECT name, agent_id FROM users WHERE name = ?"), name);
  if (!q.step()) return std::nullopt;
  return User{q->text(0), roles_of(db, name), q->optional_text(1)};
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) out += (out.empty() ? "" : " ") + w;
  return out;
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> out;
  for (std::string w; in >> w;) out.push_back(w);
  return out;
}

constexpr const char* kCredentialColumns =
    "id, user_name, kind, scopes, label, created_at, expires_at";

Credential read_credential(sqlite::Connection& db, sqlite::Statement& s) {
  Credential c;
  c.id = s.int64(0);
  c.user = user_named(db, s.text(1)).value_or(User{s.text(1), {}, std::nullopt});
  c.kind = s.text(2);
  c.scopes = split_words(s.text(3));
  c.label = s.text(4);
  c.created_at = s.int64(5);
  c.expires_at = s.optional_int64(6);
  return c;
}

}  // namespace

std::vector<User> SqliteStore::users_of_agent(const std::string& agent_id) {
  std::vector<std::string> names;
  {
    Query q(reader().cached("SELECT name FROM users WHERE agent_id = ? ORDER BY name"), agent_id);
    while (q.step()) names.push_back(q->text(0));
  }
  std::vector<User> out;
  for (const auto& name : names)
    if (auto u = user_named(reader(), name)) out.push_back(std::move(*u));
  return out;
}

void SqliteStore::upsert_user(User user, std::string token_sha256, Completion<Nothing> done) {
  submit<Nothing>(
      [user = std::move(user), token_sha256 = std::move(token_sha256)](sqlite::Connection& db) {
        if (user.name.empty()) throw std::invalid_argument("user without a name");
        if (user.roles.empty()) throw std::invalid_argument("user '" + user.name + "' has no role");
        if (!token_sha256.empty() && !is_sha256_hex(token_sha256)) {
          // The digest only: never echo the value, it might be a secret pasted by mistake.
          throw std::invalid_argument("token of user '" + user.name +
                                      "' must be a lower-case SHA-256 hex digest");
        }
        Query(db.cached("INSERT INTO users(name, agent_id) VALUES (?, ?) ON CONFLICT(name) DO "
                        "UPDATE SET agent_id = excluded.agent_id"),
              user.name, user.agent_id)
            .step();
        Query(db.cached("DELETE FROM user_roles WHERE user_name = ?"), user.name).step();
        for (Role r : normalised_roles(user.roles))
          Query(db.cached("INSERT INTO user_roles(user_name, role) VALUES (?, ?)"), user.name,
                std::string(to_string(r)))
              .step();
        if (!token_sha256.empty()) {
          // One token per user: a changed token in the config revokes the old one.
          Query(db.cached("DELETE FROM tokens WHERE user_name = ? AND sha256 <> ?"), user.name,
                token_sha256)
              .step();
          Query(db.cached("INSERT INTO tokens(sha256, user_name, created_at) VALUES (?, ?, ?) ON "
                          "CONFLICT(sha256) DO UPDATE SET user_name = excluded.user_name"),
                token_sha256, user.name, wall_clock_ms())
              .step();
        }
        return Nothing{};
      },
      std::move(done));
}

std::optional<Credential> SqliteStore::credential_by_token(const std::string& token_sha256) {
  auto& db = reader();
  {
    Query q(db.cached("SELECT user_name, created_at FROM tokens WHERE sha256 = ?"), token_sha256);
    if (q.step()) {
      Credential c;
      c.kind = "user";
      c.created_at = q->int64(1);
      auto user = user_named(db, q->text(0));
      if (!user) return std::nullopt;
      c.user = std::move(*user);
      return c;
    }
  }
  static const std::string sql =
      std::string("SELECT ") + kCredentialColumns + " FROM credentials WHERE sha256 = ?";
  Query q(db.cached(sql.c_str()), token_sha256);
  if (!q.step()) return std::nullopt;
  return read_credential(db, *q.operator->());
}

std::optional<User> SqliteStore::get_user(const std::string& name) {
  return user_named(reader(), name);
}

void SqliteStore::delete_user(std::string name, Completion<Nothing> done) {
  submit<Nothing>(
      [name = std::move(name)](sqlite::Connection& db) {
        // Roles, tokens and credentials are ON DELETE CASCADE: they go with the user.
        Query(db.cached("DELETE FROM users WHERE name = ?"), name).step();
        require_changed(db, "user '" + name + "' does not exist");
        return Nothing{};
      },
      std::move(done));
}

void SqliteStore::add_credential(Credential cred, std::string token_sha256, Completion<Id> done) {
  submit<Id>(
      [cred = std::move(cred), token_sha256 = std::move(token_sha256)](sqlite::Connection& db) {
        if (!is_sha256_hex(token_sha256))
          throw std::invalid_argument("a credential is stored as a SHA-256 hex digest");
        if (cred.kind != "session" && cred.kind != "api")
          throw std::invalid_argument("credential kind must be session or api");
        const UnixMs now = cred.created_at != 0 ? cred.created_at : wall_clock_ms();
        // Expired sessions authenticate nobody: each new one sweeps them away.
        Query(db.cached("DELETE FROM credentials WHERE expires_at IS NOT NULL AND expires_at <= ?"),
              now)
            .step();
        Query(db.cached("INSERT INTO credentials(sha256, user_name, kind, scopes, label, "
                        "created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)"),
              token_sha256, cred.user.name, cred.kind, joined(cred.scopes), cred.label, now,
              cred.expires_at)
            .step();
        return Id{db.last_insert_rowid()};
      },
      std::move(done));
}

std::vector<Credential> SqliteStore::list_credentials(const std::string& user_name,
                                                      const std::string& kind) {
  static const std::string sql = std::string("SELECT ") + kCredentialColumns +
                                 " FROM credentials WHERE (? = '' OR user_name = ?) AND "
                                 "(? = '' OR kind = ?) ORDER BY id";
  auto& db = reader();
  Query q(db.cached(sql.c_str()), user_name, user_name, kind, kind);
  std::vector<Credential> out;
  while (q.step()) out.push_back(read_credential(db, *q.operator->()));
  return out;
}

void SqliteStore::revoke_credential(Id id, Completion<Nothing> done) {
  submit<Nothing>(
      [id](sqlite::Connection& db) {
        Query(db.cached("DELETE FROM credentials WHERE id = ?"), id).step();
        require_changed(db, "credential " + std::to_string(id) + " does not exist");
        return Nothing{};
      },
      std::move(done));
}

std::string SqliteStore::password_hash(const std::string& user_name) {
  Query q(reader().cached("SELECT password_hash FROM users WHERE name = ?"), user_name);
  return q.step() ? q->text(0) : std::string();
}

void SqliteStore::set_password_hash(std::string user_name, std::string hash, bool end_sessions,
                                    Completion<Nothing> done) {
  submit<Nothing>(
      [user_name = std::move(user_name), hash = std::move(hash),
       end_sessions](sqlite::Connection& db) {
        Query(db.cached("UPDATE users SET password_hash = ? WHERE name = ?"), hash, user_name)
            .step();
        require_changed(db, "user '" + user_name + "' does not exist");
        if (end_sessions)
          Query(db.cached("DELETE FROM credentials WHERE user_name = ? AND kind = 'session'"),
                user_name)
              .step();
        return Nothing{};
      },
      std::move(done));
}

LoginFailures SqliteStore::login_failures(const std::string& name) {
  Query q(reader().cached("SELECT count, locked_until FROM login_failures WHERE name = ?"), name);
  if (!q.step()) return {};
  return {static_cast<int>(q->int64(0)), q->int64(1)};
}

void SqliteStore::record_login_failure(std::string name, UnixMs now, LockoutPolicy policy,
                                       Completion<LoginFailures> done) {
  submit<LoginFailures>(
      [name = std::move(name), now, policy](sqlite::Connection& db) {
        // Read and written in one transaction: concurrent failures each count.
        LoginFailures before;
        {
          Query q(db.cached("SELECT count, locked_until FROM login_failures WHERE name = ?"), name);
          if (q.step()) before = {static_cast<int>(q->int64(0)), q->int64(1)};
        }
        const LoginFailures after = after_login_failure(before, now, policy);
        Query(db.cached("INSERT INTO login_failures(name, count, locked_until) VALUES (?, ?, ?) "
                        "ON CONFLICT(name) DO UPDATE SET count = excluded.count, "
                        "locked_until = excluded.locked_until"),
              name, std::int64_t{after.count}, after.locked_until)
            .step();
        return after;
      },
      std::move(done));
}

void SqliteStore::clear_login_failures(std::string name, Completion<Nothing> done) {
  submit<Nothing>(
      [name = std::move(name)](sqlite::Connection& db) {
        Query(db.cached("DELETE FROM login_failures WHERE name = ?"), name).step();
        return Nothing{};
      },
      std::move(done));
}

std::vector<AuditEntry> SqliteStore::list_audit(const AuditFilter& f) {
  // A trailing '.' asks for a family of actions ("auth." = every login, logout and failure).
  // An actor is asked for by name: rows the store writes in a change's own transaction name
  // them "user:<name>", as transcript events do.
  const bool prefix = !f.action.empty() && f.action.back() == '.';
  Query q(reader().cached(
              "SELECT id, actor, action, object, remote_addr, detail_json, created_at FROM audit "
              "WHERE (? = '' OR actor = ? OR actor = 'user:' || ?) AND (? = '' OR action = ? OR "
              "(? AND substr(action, 1, length(?)) = ?)) AND (? = 0 OR created_at >= ?) AND "
              "(? = 0 OR created_at < ?) AND (? = 0 OR id < ?) ORDER BY id DESC LIMIT ?"),
          f.actor, f.actor, f.actor, f.action, f.action, std::int64_t{prefix}, f.action, f.action,
          f.from, f.from, f.to, f.to, f.before_id, f.before_id, std::int64_t{f.limit});
  std::vector<AuditEntry> out;
  while (q.step())
    out.push_back(
        {q->int64(0), {q->text(1), q->text(2), q->text(3), q->text(4), q->text(5), q->int64(6)}});
  return out;
}

std::optional<UserPreferences> SqliteStore::user_preferences(const std::string& name) {
  Query q(reader().cached("SELECT language, time_zone FROM users WHERE name = ?"), name);
  if (!q.step()) return std::nullopt;
  return UserPreferences{q->optional_text(0), q->optional_text(1)};
}

void SqliteStore::set_user_preferences(std::string name, UserPreferences preferences,
                                       Completion<Nothing> done) {
  submit<Nothing>(
      [name = std::move(name), preferences = std::move(preferences)](sqlite::Connection& db) {
        Query(db.cached("UPDATE users SET language = ?, time_zone = ? WHERE name = ?"),
              preferences.language, preferences.time_zone, name)
            .step();
        require_changed(db, "user '" + name + "' does not exist");
        return Nothing{};
      },
      std::move(done));
}

}  // namespace omnigate::store
