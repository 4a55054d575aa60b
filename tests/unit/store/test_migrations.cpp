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
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM schema_migrations") == version);
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
