#include "store/migrations.hpp"
#include "store_test_env.hpp"

#include <sqlite3.h>

using namespace omnigate::store;
using namespace omnigate::store::test;

TEST_CASE("migrations are versioned and idempotent") {
  StoreTestEnv env;
  const int version = env.store->schema_version();
  CHECK(version >= 1);
  CHECK(env.store->migrate() == version);  // nothing pending: same version, no error
  env.reopen();                            // opening again migrates again: still fine
  CHECK(env.store->schema_version() == version);
  // One row per migration; versions need not be contiguous (numbers are reserved per change).
  CHECK(version == migrations().back().version);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM schema_migrations") ==
        static_cast<int>(migrations().size()));
}

TEST_CASE("a database newer than the binary is refused naming both versions") {
  StoreTestEnv env;
  const int version = env.store->schema_version();
  env.store.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, "INSERT INTO schema_migrations(version, applied_at) VALUES (999, 0)",
                       nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
  try {
    open_sqlite_store(env.options);
    FAIL("opening a newer database must fail");
  } catch (const std::runtime_error& e) {
    const std::string message = e.what();
    CHECK(message.find("999") != std::string::npos);
    CHECK(message.find(std::to_string(version)) != std::string::npos);
  }
}

TEST_CASE("an unopenable database path is an error naming the path") {
  SqliteOptions options;
  options.path = "/nonexistent-dir-og/x/omnigate.db";
  options.attachments_dir = "/tmp";
  CHECK_THROWS_WITH(open_sqlite_store(options),
                    Catch::Contains("/nonexistent-dir-og/x/omnigate.db"));
}

TEST_CASE("the closed value sets are still enforced after their CHECKs were rewritten") {
  // Migration 6 rewrites IN-list CHECKs of 3+ values as OR-ed equalities (cheaper per INSERT; two
  // values SQLite already turns into ORs); a typo in that
  // rewrite would silently drop a constraint, so every rewritten one must still refuse a bad value.
  StoreTestEnv env;
  const auto ingested = ingest(*env.store, sms("+15551234567", "SM-1", "hi"));
  env.store.reset();
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM sqlite_master WHERE "
                   "replace(sql, 'direction IN (''in'',''out'')', '') LIKE '%CHECK (%IN (%'") == 0);
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  const auto conv = std::to_string(ingested.conversation_id);
  for (const std::string sql :
       {"UPDATE customers SET tier = 'D'", "UPDATE conversations SET status = 'lost'",
        "UPDATE conversations SET tier = 'X'", "UPDATE messages SET author_kind = 'robot'",
        "INSERT INTO users(name, role) VALUES ('x', 'root')",
        "INSERT INTO outbox(message_id, channel_instance, idempotency_key, state, "
        "next_attempt_at, created_at, updated_at) VALUES (1, 'sms', 'k', 'lost', 0, 0, 0)"}) {
    INFO(sql);
    char* error = nullptr;
    CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error) == SQLITE_CONSTRAINT);
    CHECK(std::string(error ? error : "").find("CHECK constraint failed") != std::string::npos);
    sqlite3_free(error);
  }
  // ... and a good value passes.
  CHECK(sqlite3_exec(db, ("UPDATE conversations SET status = 'closed' WHERE id = " + conv).c_str(),
                     nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}
