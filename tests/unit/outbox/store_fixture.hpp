// Test helpers shared by the outbox and API tests: a real SQLite store in a fresh temporary
// directory, blocking wrappers around its asynchronous writes, and waiting for a condition that
// another thread makes true (a generous deadline only guards against hangs; nothing is timed).
#pragma once

#include "core/sha256.hpp"
#include "store/store.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <random>
#include <string>
#include <thread>

namespace omnigate::testing {

class TempStore {
 public:
  TempStore() {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("og-api-test-" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    store::SqliteOptions options;
    options.path = (dir_ / "test.db").string();
    options.attachments_dir = attachments_dir();
    store_ = store::open_sqlite_store(options);
  }
  ~TempStore() {
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  std::string attachments_dir() const { return (dir_ / "attachments").string(); }
  store::Store& operator*() { return *store_; }
  store::Store* operator->() { return store_.get(); }

 private:
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

// Runs one asynchronous store write and returns its committed value (fails the test otherwise).
template <class T, class Write>
T committed(Write write) {
  std::promise<store::Outcome<T>> p;
  auto f = p.get_future();
  write([&p](store::Outcome<T> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  INFO(r.error);
  REQUIRE(r.ok);
  return r.value;
}

// True once `pred` holds; false if it still does not after a long time (a hang, not a timing test).
inline bool eventually(const std::function<bool()>& pred) {
  const auto give_up = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!pred()) {
    if (std::chrono::steady_clock::now() > give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// A customer message on `instance` from `from`; returns what the store made of it.
inline store::IngestResult customer_writes(store::Store& s, const std::string& kind,
                                           const std::string& from, const std::string& text,
                                           const std::string& provider_id) {
  store::InboundRecord rec;
  rec.channel_instance = kind;
  rec.channel_kind = kind;
  rec.provider_message_id = provider_id;
  rec.from_kind = kind == "sms" ? "phone" : kind == "email" ? "email" : "webchat";
  rec.from_address = from;
  rec.to_address = "+18005550000";
  rec.thread_key = kind + ":" + from;
  rec.body_text = text;
  rec.received_at = rec.sent_at = 1763880000000;
  return committed<store::IngestResult>(
      [&](store::Completion<store::IngestResult> done) { s.ingest_message(rec, done); });
}

// A user whose bearer token is "<name>-token" (the store keeps only its SHA-256); agent_id ""
// = no agent profile.
inline void add_user(store::Store& s, const std::string& name, store::Role role,
                     const std::string& agent_id) {
  store::User u;
  u.name = name;
  u.roles = {role};
  if (!agent_id.empty()) u.agent_id = agent_id;
  committed<store::Nothing>(
      [&](auto done) { s.upsert_user(u, sha256_hex(name + "-token"), done); });
}

inline void add_agent(store::Store& s, const store::Agent& a) {
  committed<store::Nothing>([&](auto done) { s.upsert_agent(a, done); });
}

}  // namespace omnigate::testing
