// What the store tests share: a fresh temporary directory with a real SQLite file, and a way
// to wait for an asynchronous write's outcome.
#pragma once

#include "store/store.hpp"

#include <sqlite3.h>
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <utility>

namespace omnigate::store::test {

struct StoreTestEnv {
  std::filesystem::path dir;
  SqliteOptions options;
  std::unique_ptr<Store> store;

  StoreTestEnv() {
    std::string templ = (std::filesystem::temp_directory_path() / "og-store-XXXXXX").string();
    REQUIRE(mkdtemp(templ.data()) != nullptr);
    dir = templ;
    options.path = (dir / "omnigate.db").string();
    options.attachments_dir = (dir / "attachments").string();
    store = open_sqlite_store(options);
  }
  ~StoreTestEnv() {
    store.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  void reopen() {
    store.reset();
    store = open_sqlite_store(options);
  }
  StoreTestEnv(const StoreTestEnv&) = delete;
  StoreTestEnv& operator=(const StoreTestEnv&) = delete;
};

// Starts an asynchronous write and waits for its completion.
template <class T, class Start>
Outcome<T> wait_for(Start start) {
  std::promise<Outcome<T>> promise;
  auto future = promise.get_future();
  start([&promise](Outcome<T> outcome) { promise.set_value(std::move(outcome)); });
  return future.get();
}

inline IngestResult ingest(Store& store, InboundRecord rec) {
  auto outcome = wait_for<IngestResult>(
      [&](Completion<IngestResult> done) { store.ingest_message(std::move(rec), done); });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  return outcome.value;
}

inline InboundRecord sms(std::string from, std::string provider_id, std::string body) {
  InboundRecord rec;
  rec.channel_instance = "sms";
  rec.channel_kind = "sms";
  rec.from_kind = "phone";
  rec.from_address = from;
  rec.to_address = "+15550001111";
  rec.thread_key = "sms:" + from;
  rec.provider_message_id = std::move(provider_id);
  rec.body_text = std::move(body);
  return rec;
}

// A channel event from a phone number, as a voice plugin would report it.
inline ChannelEventRecord phone_event(std::string instance, std::string provider_event_id,
                                      std::string from, std::string thread_key,
                                      std::string data_json) {
  ChannelEventRecord ev;
  ev.channel_instance = instance;
  ev.channel_kind = std::move(instance);
  ev.provider_event_id = std::move(provider_event_id);
  ev.kind = "call.answered";
  ev.from_kind = "phone";
  ev.from_address = std::move(from);
  ev.thread_key = std::move(thread_key);
  ev.data_json = std::move(data_json);
  return ev;
}

// Counts rows through a brand-new connection: proves what is committed on disk, independent
// of the store's own connections.
inline long long count_rows(const std::string& db_path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const long long n = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return n;
}

}  // namespace omnigate::store::test
