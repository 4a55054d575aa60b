#include "store/migrations.hpp"
#include "store_test_env.hpp"
#include "text_columns.hpp"

#include <sqlite3.h>

#include <limits>

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
        "INSERT INTO user_roles(user_name, role) VALUES ('x', 'root')",
        "INSERT INTO credentials(sha256, user_name, kind, created_at) VALUES ('s', 'x', 'cookie', "
        "0)",
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

namespace {

// Opens the closed store's file without the store and hands `edit` a run(sql) that must succeed:
// how a test turns the database back into one that an older binary left.
template <class Edit>
void edit_database(const std::string& path, Edit&& edit) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  const auto run = [&](const std::string& sql) {
    INFO(sql);
    REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  };
  edit(run);
  sqlite3_close(db);
}

// What migration 18 adds, dropped again: the database is then one at version 17.
template <class Run>
void drop_customer_merges(const Run& run) {
  run("DROP TABLE customer_merges");
  run("DROP TABLE identity_rules");
  run("DROP INDEX identities_match_key");
  run("ALTER TABLE identities DROP COLUMN match_key");
  run("ALTER TABLE customers DROP COLUMN merged_into");
}

// Back to the users table before migration 19 (one role column; no roles, credentials, login
// failures, passwords, audit index or audit triggers).
template <class Run>
void undo_accounts_migration(const Run& run) {
  run("DROP TRIGGER audit_no_update");
  run("DROP TRIGGER audit_no_delete");
  run("DROP INDEX audit_created");
  run("DROP TABLE login_failures");
  run("DROP TABLE credentials");
  run("ALTER TABLE users DROP COLUMN password_hash");
  run("ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'agent' "
      "CHECK (role IN ('agent','supervisor','qa','admin'))");
  run("UPDATE users SET role = (SELECT MAX(role) FROM user_roles WHERE user_name = name)");
  run("DROP TABLE user_roles");
}

// What migration 26 adds, dropped again: the database is then one at version 25.
template <class Run>
void drop_events_by_conversation_and_kind(const Run& run) {
  run("DROP INDEX events_conversation_kind");
}

// What migrations 25 and 26 add, dropped again: the database is then one at version 24.
template <class Run>
void drop_erasure_and_legal_holds(const Run& run) {
  drop_events_by_conversation_and_kind(run);
  run("DROP TABLE legal_holds");
  run("ALTER TABLE conversations DROP COLUMN erased_at");
}

// What migrations 24 to 26 add, dropped again: the database is then one at version 23.
template <class Run>
void drop_csat(const Run& run) {
  drop_erasure_and_legal_holds(run);
  run("DROP TABLE csat_ratings");
}

// What migrations 23 to 26 add, dropped again: the database is then one at version 22.
template <class Run>
void drop_transcript_search_and_chain(const Run& run) {
  drop_csat(run);
  run("DROP TRIGGER messages_fts_insert");
  run("DROP TRIGGER messages_fts_delete");
  run("DROP TRIGGER messages_fts_update");
  run("DROP TABLE messages_fts");
  run("ALTER TABLE events DROP COLUMN hash");
}

// What migrations 22 to 26 add, dropped again: the database is then one at version 21.
template <class Run>
void drop_quality_review(const Run& run) {
  drop_transcript_search_and_chain(run);
  run("DROP TABLE qa_review_scores");
  run("DROP TABLE qa_reviews");
  run("DROP TABLE qa_scorecards");
  run("DROP TABLE qa_sample_items");
  run("DROP TABLE qa_samples");
  run("DROP INDEX conversations_created");
}

// What migrations 21 to 26 add, dropped again: the database is then one at version 20.
template <class Run>
void drop_workspace(const Run& run) {
  drop_quality_review(run);
  run("DROP TABLE canned_responses");
  run("ALTER TABLE users DROP COLUMN language");
  run("ALTER TABLE users DROP COLUMN time_zone");
}

// What migrations 20 to 26 add, dropped again: the database is then one at version 19.
template <class Run>
void drop_webhook_deliveries(const Run& run) {
  drop_workspace(run);
  run("DROP TABLE webhook_deliveries");
  run("DROP TABLE webhook_cursor");
}

}  // namespace

TEST_CASE("migration 18 re-reads e-mail identities and gives every identity its match key") {
  StoreTestEnv env;
  const auto phone = ingest(*env.store, sms("+14155550100", "SM1", "hi"));
  const auto unverified = ingest(*env.store, sms("hello", "SM2", "hi"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 18");
    drop_webhook_deliveries(run);
    undo_accounts_migration(run);
    drop_customer_merges(run);
    // An address as a channel of another store may have written it.
    run("INSERT INTO customers(display_name, created_at) VALUES ('Ann', 0)");
    run("INSERT INTO identities(customer_id, kind, address, created_at) VALUES "
        "(last_insert_rowid(), 'email', 'Ann@EXAMPLE.com', 0)");
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  env.store.reset();
  const auto& path = env.options.path;
  CHECK(read_value(path,
                   "SELECT address || ' ' || match_key FROM identities WHERE kind = "
                   "'email'") == "Ann@example.com mailto:ann@example.com");
  CHECK(read_value(path, "SELECT match_key FROM identities WHERE customer_id = " +
                             std::to_string(phone.customer_id)) == "tel:+14155550100");
  CHECK(read_value(path, "SELECT match_key FROM identities WHERE customer_id = " +
                             std::to_string(unverified.customer_id)) == "");
  CHECK(read_value(path, "SELECT phone_region FROM identity_rules") == "");
  CHECK(count_rows(path, "SELECT COUNT(*) FROM customers WHERE merged_into IS NOT NULL") == 0);
}

TEST_CASE("migration 19 makes each user's one role their set of roles and seals the audit log") {
  StoreTestEnv env;
  for (const auto& [name, role] :
       {std::pair{"ana", Role::agent}, std::pair{"sue", Role::supervisor},
        std::pair{"quinn", Role::qa}, std::pair{"ada", Role::admin}}) {
    User u{name, {role}, role == Role::agent ? std::optional<std::string>("ana") : std::nullopt};
    REQUIRE(wait_for<Nothing>([&](auto done) { env.store->upsert_user(u, "", done); }).ok);
  }
  REQUIRE(wait_for<Nothing>([&](auto done) {
            env.store->audit({"ada", "user.create", "user:ana", "", "{}", 1}, done);
          }).ok);
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 19");
    drop_webhook_deliveries(run);
    undo_accounts_migration(run);
    run("UPDATE audit SET detail_json = '{}'");  // still writable before the migration
  });

  env.reopen();  // migrates
  CHECK(env.store->schema_version() == migrations().back().version);
  CHECK(env.store->get_user("ana")->roles == std::vector<Role>{Role::agent});
  CHECK(env.store->get_user("ana")->agent_id == std::optional<std::string>("ana"));
  CHECK(env.store->get_user("sue")->roles == std::vector<Role>{Role::supervisor});
  CHECK(env.store->get_user("quinn")->roles == std::vector<Role>{Role::qa});
  CHECK(env.store->get_user("ada")->roles == std::vector<Role>{Role::admin});
  CHECK(env.store->password_hash("ada").empty());
  env.store.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db, "DELETE FROM audit", nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

TEST_CASE("migration 20 starts webhooks at the newest event, not with the history") {
  StoreTestEnv env;
  ingest(*env.store, sms("+14155550100", "SM1", "before webhooks existed"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 20");
    drop_webhook_deliveries(run);
  });

  env.reopen();  // migrates
  CHECK(env.store->schema_version() == migrations().back().version);
  const Id newest = std::stoll(read_value(env.options.path, "SELECT MAX(id) FROM events"));
  CHECK(newest > 0);
  CHECK(env.store->webhook_cursor() == newest);
  CHECK(env.store->events_after(env.store->webhook_cursor(), 10).empty());
}

TEST_CASE("migration 21 gives existing users no preferences and adds the canned responses") {
  StoreTestEnv env;
  User ann{"ann", {Role::agent}, std::string("ann")};
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->upsert_user(ann, "", done);
          }).ok);
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 21");
    drop_workspace(run);
  });

  env.reopen();  // migrates
  CHECK(env.store->schema_version() == migrations().back().version);
  const auto prefs = env.store->user_preferences("ann");
  REQUIRE(prefs);
  CHECK_FALSE(prefs->language);
  CHECK_FALSE(prefs->time_zone);
  CHECK(env.store->list_canned_responses({}).empty());
}

TEST_CASE("migration 9 repairs stored text that is not UTF-8, keeps the originals and flags") {
  // A database at version 8 with what the store wrote before it repaired text on the way in.
  // Migration 9 changes no table, 10 only adds an index, 11 and 13 only add columns, 12 adds
  // tables (and a value the outbox state may take), 14 to 17 add tables and an index, 18 tables,
  // an index and columns, 19 turns a column into tables (undone at the end), 20 adds tables, 21
  // a table and columns, so
  // a current database without their rows, those indexes, columns and tables is one at version 8.
  StoreTestEnv env;
  auto rec = sms("+15551234567", "SM1", "fine");
  rec.raw = "Body=fine";
  const auto with_raw = ingest(*env.store, rec);
  const auto without_raw = ingest(*env.store, sms("+15557654321", "SM2", "also fine"));
  env.store.reset();
  const auto m1 = std::to_string(with_raw.message_id);
  const auto m2 = std::to_string(without_raw.message_id);
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 9");
    drop_webhook_deliveries(run);
    drop_customer_merges(run);
    run("DROP INDEX outbox_sent");
    run("ALTER TABLE attachments DROP COLUMN content_id");
    run("ALTER TABLE attachments DROP COLUMN disposition");
    run("ALTER TABLE agents DROP COLUMN contact_json");
    run("DROP TABLE quarantine");
    run("DROP TABLE plugin_crash_log");
    run("DROP TABLE plugin_instance_state");
    run("DROP TABLE customer_tier_changes");
    run("DROP TABLE valuation_runs");
    run("DROP TABLE contact_logs");
    run("DROP TABLE contact_log_cursor");
    run("DROP INDEX events_kind");
    run("DROP TABLE service_case_stages");
    run("DROP TABLE service_cases");
    run("DROP TABLE complaints");
    run("DROP TABLE customer_contacts");
    run("ALTER TABLE conversations DROP COLUMN resolution_max_due");
    run("ALTER TABLE conversations DROP COLUMN sla_paused_since");
    run("ALTER TABLE conversations DROP COLUMN sla_deadlines_shifted");
    undo_accounts_migration(run);
    // Bytes written as they came, as the old store did (X'..' is a BLOB; CAST makes it TEXT).
    run("UPDATE messages SET body_text = CAST(X'FFFE6869' AS TEXT), subject = CAST(X'636166E9' AS "
        "TEXT) WHERE id = " +
        m1);
    run("UPDATE messages SET body_text = CAST(X'C328' AS TEXT) WHERE id = " + m2);
    run("UPDATE customers SET display_name = CAST(X'4AF6726720' AS TEXT) WHERE id = " +
        std::to_string(without_raw.customer_id));
    run("UPDATE identities SET address = CAST(X'2B31353535FF' AS TEXT) WHERE customer_id = " +
        std::to_string(without_raw.customer_id));
    run("UPDATE conversations SET thread_key = CAST(X'736D733AFF' AS TEXT), customer_address = "
        "CAST(X'2B31353535FF' AS TEXT) WHERE id = " +
        std::to_string(without_raw.conversation_id));
    run("UPDATE events SET data_json = CAST(X'7B2261223A2280227D' AS TEXT) WHERE message_id = " +
        m2);
  });
  REQUIRE_FALSE(invalid_text_values(env.options.path).empty());

  env.reopen();  // migrates
  CHECK(env.store->schema_version() >= 9);
  env.store.reset();

  CHECK(invalid_text_values(env.options.path).empty());
  const std::string r = "\xEF\xBF\xBD";
  const auto& path = env.options.path;
  CHECK(read_value(path, "SELECT body_text FROM messages WHERE id = " + m1) == r + r + "hi");
  CHECK(read_value(path, "SELECT subject FROM messages WHERE id = " + m1) == "caf" + r);
  CHECK(read_value(path, "SELECT malformed FROM messages WHERE id = " + m1) == "1");
  // The plugin's raw copy stays; where there was none, the originals are kept form-encoded.
  CHECK(read_value(path, "SELECT raw FROM messages WHERE id = " + m1) == "Body=fine");
  CHECK(read_value(path, "SELECT body_text FROM messages WHERE id = " + m2) == r + "(");
  CHECK(read_value(path, "SELECT malformed FROM messages WHERE id = " + m2) == "1");
  CHECK(read_value(path, "SELECT raw FROM messages WHERE id = " + m2) == "body_text=%C3%28");
  CHECK(read_value(path, "SELECT display_name FROM customers WHERE id = " +
                             std::to_string(without_raw.customer_id)) == "J" + r + "rg ");
  CHECK(read_value(path, "SELECT kind || ' ' || address FROM identities WHERE customer_id = " +
                             std::to_string(without_raw.customer_id)) == "unverified +1555" + r);
  CHECK(read_value(path, "SELECT customer_address_kind FROM conversations WHERE id = " +
                             std::to_string(without_raw.conversation_id)) == "unverified");
  CHECK(read_value(path, "SELECT data_json FROM events WHERE message_id = " + m2) ==
        "{\"a\":\"" + r + "\"}");
  // Rows that were valid are untouched.
  CHECK(count_rows(path, "SELECT COUNT(*) FROM identities WHERE kind = 'phone'") == 1);
}

TEST_CASE("migration 22 adds the quality-review tables to a database at version 21") {
  StoreTestEnv env;
  const auto ingested = ingest(*env.store, sms("+14155550100", "SM1", "hi"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 22");
    drop_quality_review(run);
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  QaConversationFilter everything;
  const auto found = env.store->qa_conversations(everything);
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == ingested.conversation_id);
  env.store.reset();
  // A review's state outside the five the dispute flow knows is refused by the database too.
  edit_database(env.options.path, [](const auto& run) {
    run("INSERT INTO qa_scorecards(name, version, definition_json, created_by, created_at) "
        "VALUES ('s', 1, '{}', 'x', 0)");
  });
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  CHECK(sqlite3_exec(db,
                     ("INSERT INTO qa_reviews(scorecard_id, conversation_id, reviewer, overall, "
                      "state, created_at, updated_at) VALUES (1, " +
                      std::to_string(ingested.conversation_id) + ", 'q', 50, 'lost', 0, 0)")
                         .c_str(),
                     nullptr, nullptr, nullptr) == SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

TEST_CASE("migration 23 indexes and chains the messages and events stored before it") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "refund for my parcel"));
  ingest(*env.store, sms("+14155550100", "SM2", "still waiting"));
  ingest(*env.store, sms("+14155550199", "SM3", "hello"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 23");
    drop_transcript_search_and_chain(run);
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  CHECK_FALSE(env.store->verify_transcripts(std::nullopt));
  const auto hits = env.store->search_transcripts("parcel", 10);
  REQUIRE(hits.size() == 1);
  CHECK(hits[0].conversation_id == a.conversation_id);
  env.store.reset();
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM events WHERE length(hash) <> 64") == 0);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM events") > 0);
}

TEST_CASE("migration 24 adds the CSAT ratings to a database of version 23") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "refund for my parcel"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 24");
    drop_csat(run);
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  CHECK(env.store->csat_ratings(0, std::numeric_limits<std::int64_t>::max()).empty());
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM conversations WHERE id = " +
                                         std::to_string(a.conversation_id)) == 1);
}

TEST_CASE("migration 25 adds legal holds and lets existing conversations be emptied") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "refund for my parcel"));
  env.store.reset();
  edit_database(env.options.path, [&](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 25");
    drop_erasure_and_legal_holds(run);
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  CHECK_FALSE(env.store->legal_hold(a.customer_id));
  const auto held = wait_for<bool>([&](Completion<bool> done) {
    env.store->set_legal_hold({a.customer_id, true, "user:admin", "case 7", 1000}, done);
  });
  REQUIRE(held.ok);
  CHECK(held.value);
  REQUIRE(env.store->legal_hold(a.customer_id));
  env.store.reset();
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM conversations WHERE erased_at IS NULL") == 1);
}

TEST_CASE("migration 26 lets sampling read a conversation's event facts from an index") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "refund for my parcel"));
  env.store.reset();
  edit_database(env.options.path, [](const auto& run) {
    run("DELETE FROM schema_migrations WHERE version >= 26");
    drop_events_by_conversation_and_kind(run);
  });

  env.reopen();
  CHECK(env.store->schema_version() == migrations().back().version);
  CHECK(env.store->qa_conversations({}).size() == 1);
  env.store.reset();
  // How sampling asks for a fact: answered from the index, without reading event rows.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* plan = nullptr;
  REQUIRE(sqlite3_prepare_v2(
              db,
              ("EXPLAIN QUERY PLAN SELECT MIN(e.created_at) FROM events e WHERE "
               "e.conversation_id = " +
               std::to_string(a.conversation_id) + " AND e.kind = 'conversation.resolved'")
                  .c_str(),
              -1, &plan, nullptr) == SQLITE_OK);
  std::string detail;
  while (sqlite3_step(plan) == SQLITE_ROW)
    detail += reinterpret_cast<const char*>(sqlite3_column_text(plan, 3));
  sqlite3_finalize(plan);
  sqlite3_close(db);
  CHECK(detail.find("COVERING INDEX events_conversation_kind") != std::string::npos);
}
