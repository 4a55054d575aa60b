#include "store_test_env.hpp"

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

void run_sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  INFO(sql);
  CHECK(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

}  // namespace

TEST_CASE("every event is chained to its conversation's previous one and verifies") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+14155550100", "SM1", "hello"));
  ingest(*env.store, sms("+14155550100", "SM2", "again"));
  ingest(*env.store, sms("+14155550199", "SM3", "other conversation"));
  CHECK_FALSE(env.store->verify_transcripts(std::nullopt));
  CHECK_FALSE(env.store->verify_transcripts(a.conversation_id));
  env.store.reset();
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM events WHERE length(hash) <> 64") == 0);
}

TEST_CASE("a message body altered with raw SQL breaks the chain at that message") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+14155550100", "SM1", "I was charged twice"));
  const auto second = ingest(*env.store, sms("+14155550100", "SM2", "please refund"));
  ingest(*env.store, sms("+14155550100", "SM3", "thanks"));
  env.store.reset();
  run_sql(env.options.path, "UPDATE messages SET body_text = 'all fine' WHERE id = " +
                                std::to_string(second.message_id));
  env.reopen();
  const auto broken = env.store->verify_transcripts(first.conversation_id);
  REQUIRE(broken);
  CHECK(broken->message_id == second.message_id);
  CHECK(broken->conversation_id == first.conversation_id);
  const auto anywhere = env.store->verify_transcripts(std::nullopt);
  REQUIRE(anywhere);
  CHECK(anywhere->event_id == broken->event_id);
}

TEST_CASE("a deleted event breaks the chain at the event after it") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+14155550100", "SM1", "one"));
  const auto second = ingest(*env.store, sms("+14155550100", "SM2", "two"));
  const auto third = ingest(*env.store, sms("+14155550100", "SM3", "three"));
  env.store.reset();
  run_sql(env.options.path,
          "DELETE FROM events WHERE message_id = " + std::to_string(second.message_id));
  env.reopen();
  const auto broken = env.store->verify_transcripts(first.conversation_id);
  REQUIRE(broken);
  CHECK(broken->message_id == third.message_id);
}
