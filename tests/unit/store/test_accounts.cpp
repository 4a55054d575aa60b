#include "store_test_env.hpp"

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

const std::string kUserToken(64, 'a');
const std::string kSessionToken(64, 'b');
const std::string kApiToken(64, 'c');

void add_user(Store& store, User user) {
  REQUIRE(wait_for<Nothing>([&](auto done) { store.upsert_user(user, kUserToken, done); }).ok);
}

Id add(Store& store, Credential cred, const std::string& digest) {
  auto r = wait_for<Id>([&](auto done) { store.add_credential(cred, digest, done); });
  INFO(r.error);
  REQUIRE(r.ok);
  return r.value;
}

int exec_status(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(db_path.c_str(), &db) == SQLITE_OK);
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr);
  sqlite3_close(db);
  return rc;
}

}  // namespace

TEST_CASE("a user holds a set of roles, replaced as a whole") {
  StoreTestEnv env;
  add_user(*env.store, {"sam", {Role::qa, Role::agent, Role::qa}, std::string("sam")});
  auto sam = env.store->get_user("sam");
  REQUIRE(sam);
  CHECK(sam->roles == std::vector<Role>{Role::agent, Role::qa});
  CHECK(sam->has_role(Role::qa));
  CHECK_FALSE(sam->has_role(Role::admin));
  CHECK(sam->limited_to_own_work());  // QA's reading does not widen an agent's own work
  add_user(*env.store, {"sam", {Role::supervisor, Role::agent}, std::string("sam")});
  sam = env.store->get_user("sam");
  CHECK(sam->roles == std::vector<Role>{Role::agent, Role::supervisor});
  CHECK_FALSE(sam->limited_to_own_work());
  auto none = wait_for<Nothing>([&](auto done) {
    env.store->upsert_user({"x", {}, {}}, "", done);
  });
  CHECK_FALSE(none.ok);
}

TEST_CASE("sessions and API tokens stand for their user until revoked or expired") {
  StoreTestEnv env;
  add_user(*env.store, {"ada", {Role::admin}, std::nullopt});
  Credential session;
  session.kind = "session";
  session.user.name = "ada";
  session.created_at = 1'000;
  session.expires_at = 1'000 + 3'600'000;
  const Id session_id = add(*env.store, session, kSessionToken);
  Credential api;
  api.kind = "api";
  api.user.name = "ada";
  api.scopes = {"conversations:read", "messages:write"};
  api.label = "crm";
  api.created_at = 2'000;
  const Id api_id = add(*env.store, api, kApiToken);

  const auto found = env.store->credential_by_token(kSessionToken);
  REQUIRE(found);
  CHECK(found->id == session_id);
  CHECK(found->kind == "session");
  CHECK(found->user.roles == std::vector<Role>{Role::admin});
  CHECK_FALSE(found->expired_at(1'000 + 3'600'000 - 1));
  CHECK(found->expired_at(1'000 + 3'600'000));  // the session's last millisecond has passed

  const auto token = env.store->credential_by_token(kApiToken);
  REQUIRE(token);
  CHECK(token->scopes == std::vector<std::string>{"conversations:read", "messages:write"});
  CHECK_FALSE(token->expires_at);
  CHECK(env.store->list_credentials("ada", "api").size() == 1);
  CHECK(env.store->list_credentials("", "").size() == 2);

  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->revoke_credential(api_id, done); }).ok);
  CHECK_FALSE(env.store->credential_by_token(kApiToken));
  CHECK_FALSE(wait_for<Nothing>([&](auto done) { env.store->revoke_credential(api_id, done); }).ok);

  // A new session sweeps the expired ones away (created_at is the new one's clock).
  Credential later = session;
  later.created_at = 1'000 + 3'600'000;
  later.expires_at = later.created_at + 1;
  add(*env.store, later, std::string(64, 'd'));
  CHECK_FALSE(env.store->credential_by_token(kSessionToken));

  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->delete_user("ada", done); }).ok);
  CHECK(env.store->list_credentials("", "").empty());  // credentials go with their user
}

TEST_CASE("a new password can end the user's sessions") {
  StoreTestEnv env;
  add_user(*env.store, {"ada", {Role::admin}, std::nullopt});
  CHECK(env.store->password_hash("ada").empty());
  Credential session;
  session.kind = "session";
  session.user.name = "ada";
  session.expires_at = 4'102'444'800'000;  // 2100: far ahead of any clock the test runs at
  add(*env.store, session, kSessionToken);
  REQUIRE(wait_for<Nothing>([&](auto done) {
            env.store->set_password_hash("ada", "$argon2id$first", false, done);
          }).ok);
  CHECK(env.store->password_hash("ada") == "$argon2id$first");
  CHECK(env.store->credential_by_token(kSessionToken));
  REQUIRE(wait_for<Nothing>([&](auto done) {
            env.store->set_password_hash("ada", "$argon2id$second", true, done);
          }).ok);
  CHECK_FALSE(env.store->credential_by_token(kSessionToken));
  CHECK(env.store->credential_by_token(kUserToken));  // the user's own token is not a session
  CHECK_FALSE(wait_for<Nothing>([&](auto done) {
                env.store->set_password_hash("nobody", "$argon2id$x", false, done);
              }).ok);
}

TEST_CASE("failed logins count to the limit, lock the name, and start afresh after") {
  const LockoutPolicy policy{3, 60'000};
  LoginFailures f;
  f = after_login_failure(f, 1'000, policy);
  f = after_login_failure(f, 2'000, policy);
  CHECK(f.count == 2);
  CHECK_FALSE(f.locked_at(2'000));
  f = after_login_failure(f, 3'000, policy);  // the third locks
  CHECK(f.count == 0);
  CHECK(f.locked_until == 63'000);
  CHECK(f.locked_at(62'999));
  CHECK_FALSE(f.locked_at(63'000));
  f = after_login_failure(f, 70'000, policy);  // after the lock: one of a new three
  CHECK(f.count == 1);
  CHECK_FALSE(f.locked_at(70'000));

  StoreTestEnv env;
  for (int i = 1; i <= 3; ++i) {
    auto r = wait_for<LoginFailures>(
        [&](auto done) { env.store->record_login_failure("ghost", 1'000 * i, policy, done); });
    REQUIRE(r.ok);
    CHECK(r.value.locked_at(1'000 * i) == (i == 3));
  }
  CHECK(env.store->login_failures("ghost").locked_until == 63'000);  // unknown names lock too
  REQUIRE(wait_for<Nothing>([&](auto done) { env.store->clear_login_failures("ghost", done); }).ok);
  CHECK(env.store->login_failures("ghost").locked_until == 0);
}

TEST_CASE("the audit log is append-only and read newest first by actor, action and period") {
  StoreTestEnv env;
  const std::vector<AuditRecord> rows{
      {"ada", "auth.login", "user:ada", "10.0.0.1", "{}", 100},
      {"bob", "auth.login_failed", "user:bob", "", "{}", 200},
      {"ada", "user.password", "user:bob", "", "{}", 300},
      {"ada", "auth.logout", "user:ada", "", "{}", 400},
      // as the store writes rows in a change's own transaction
      {"user:ada", "quarantine.release", "quarantine:1", "", "{}", 500}};
  for (const auto& r : rows)
    REQUIRE(wait_for<Nothing>([&](auto done) { env.store->audit(r, done); }).ok);

  AuditFilter all;
  const auto newest = env.store->list_audit(all);
  REQUIRE(newest.size() == 5);
  CHECK(newest.front().record.action == "quarantine.release");
  CHECK(newest.back().record.remote_addr == "10.0.0.1");

  AuditFilter ada;
  ada.actor = "ada";  // both spellings of her as actor
  CHECK(env.store->list_audit(ada).size() == 4);
  AuditFilter auth;
  auth.action = "auth.";
  CHECK(env.store->list_audit(auth).size() == 3);
  AuditFilter exact;
  exact.action = "auth.login";
  CHECK(env.store->list_audit(exact).size() == 1);
  AuditFilter period;
  period.from = 200;
  period.to = 400;  // [from, to)
  CHECK(env.store->list_audit(period).size() == 2);
  AuditFilter page;
  page.limit = 2;
  const auto first = env.store->list_audit(page);
  REQUIRE(first.size() == 2);
  page.before_id = first.back().id;
  const auto second = env.store->list_audit(page);
  REQUIRE(second.size() == 2);
  CHECK(second.front().id < first.back().id);

  CHECK(exec_status(env.options.path, "UPDATE audit SET actor = 'eve'") == SQLITE_CONSTRAINT);
  CHECK(exec_status(env.options.path, "DELETE FROM audit") == SQLITE_CONSTRAINT);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM audit WHERE actor = 'ada'") == 3);
}
