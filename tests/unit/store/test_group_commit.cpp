#include "store_test_env.hpp"

#include <atomic>
#include <thread>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

// Holds the writer inside a completion so that the writes queued meanwhile are guaranteed to
// form ONE batch when released.
struct WriterGate {
  std::promise<void> entered, release;
  void close(Store& store) {
    store.kv_put("test", "gate", "1", [this](Outcome<Nothing>) {
      entered.set_value();
      release.get_future().wait();
    });
    entered.get_future().wait();
  }
  void open() { release.set_value(); }
};

}  // namespace

TEST_CASE("completions run only after the write is committed") {
  StoreTestEnv env;
  std::promise<long long> visible;
  auto rec = sms("+15551234567", "SM1", "hello");
  env.store->ingest_message(rec, [&](Outcome<IngestResult> outcome) {
    REQUIRE(outcome.ok);
    // A brand-new connection sees the row: the data is committed before the completion.
    visible.set_value(count_rows(env.options.path, "SELECT COUNT(*) FROM messages"));
  });
  CHECK(visible.get_future().get() == 1);
}

TEST_CASE("two identical writes in the same batch store one message") {
  StoreTestEnv env;
  WriterGate gate;
  gate.close(*env.store);
  std::promise<Outcome<IngestResult>> first, second;
  env.store->ingest_message(sms("+15551234567", "SM1", "x"),
                            [&](Outcome<IngestResult> o) { first.set_value(o); });
  env.store->ingest_message(sms("+15551234567", "SM1", "x"),
                            [&](Outcome<IngestResult> o) { second.set_value(o); });
  gate.open();
  const auto a = first.get_future().get();
  const auto b = second.get_future().get();
  REQUIRE(a.ok);
  REQUIRE(b.ok);
  CHECK_FALSE(a.value.duplicate);
  CHECK(b.value.duplicate);
  CHECK(b.value.message_id == a.value.message_id);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM messages") == 1);
}

TEST_CASE("a failing write in a batch does not undo the others") {
  StoreTestEnv env;
  WriterGate gate;
  gate.close(*env.store);
  std::promise<Outcome<IngestResult>> before, after;
  std::promise<Outcome<ReplyResult>> failing;
  env.store->ingest_message(sms("+15551234567", "SM1", "before"),
                            [&](Outcome<IngestResult> o) { before.set_value(o); });
  ReplyRecord bad;
  bad.conversation_id = 999;
  bad.agent_id = "alice";
  env.store->enqueue_reply(bad, [&](Outcome<ReplyResult> o) { failing.set_value(o); });
  env.store->ingest_message(sms("+15557654321", "SM2", "after"),
                            [&](Outcome<IngestResult> o) { after.set_value(o); });
  gate.open();
  CHECK(before.get_future().get().ok);
  const auto f = failing.get_future().get();
  CHECK_FALSE(f.ok);
  CHECK_THAT(f.error, Catch::Contains("999"));
  CHECK(after.get_future().get().ok);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM messages") == 2);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("flush waits for every write queued before it") {
  StoreTestEnv env;
  std::atomic<int> completed{0};
  for (int i = 0; i < 300; ++i) {
    env.store->ingest_message(
        sms("+1555000" + std::to_string(1000 + i), "SM" + std::to_string(i), "m"),
        [&](Outcome<IngestResult> o) {
          if (o.ok) ++completed;
        });
  }
  env.store->flush();
  CHECK(completed == 300);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM messages") == 300);
}

TEST_CASE("writes from many threads all commit and reads work on every thread") {
  StoreTestEnv env;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      // No Catch assertions off the main thread (Catch2 is not thread-safe): count instead.
      for (int i = 0; i < 50; ++i) {
        auto rec = sms("+1555100" + std::to_string(1000 + t),
                       "T" + std::to_string(t) + "-" + std::to_string(i), "m");
        const auto r = wait_for<IngestResult>(
            [&](Completion<IngestResult> done) { env.store->ingest_message(rec, done); });
        if (r.ok && env.store->get_conversation(r.value.conversation_id)) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok == 200);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM conversations") == 4);
}

TEST_CASE("data survives closing and reopening the store") {
  StoreTestEnv env;
  const auto r = ingest(*env.store, sms("+15551234567", "SM1", "durable"));
  env.reopen();
  const auto transcript = env.store->transcript(r.conversation_id);
  REQUIRE_FALSE(transcript.empty());
  CHECK(transcript.back().message->body_text == "durable");
  CHECK(ingest(*env.store, sms("+15551234567", "SM1", "durable")).duplicate);
}

TEST_CASE("the destructor commits writes still queued") {
  StoreTestEnv env;
  std::atomic<int> completed{0};
  for (int i = 0; i < 50; ++i) {
    env.store->kv_put("sms", "k" + std::to_string(i), "v", [&](Outcome<Nothing> o) {
      if (o.ok) ++completed;
    });
  }
  env.reopen();
  CHECK(completed == 50);
  CHECK(env.store->kv_get("sms", "k49") == std::optional<std::string>("v"));
}
