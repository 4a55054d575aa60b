// A reply's client key (the API's Idempotency-Key) is durable: it lives in messages.client_key,
// so a retry is answered from the database even after a restart, and never queues a second send.
#include "store_test_env.hpp"

#include <vector>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

ReplyRecord keyed_reply(Id conversation, std::string key, std::string text = "on its way") {
  ReplyRecord reply;
  reply.conversation_id = conversation;
  reply.agent_id = "alice";
  reply.body_text = std::move(text);
  reply.client_key = std::move(key);
  reply.attachments.push_back(
      {"terms.pdf", "application/pdf", "", "https://example.com/t.pdf", "", 0, "", ""});
  return reply;
}

ReplyResult enqueue(Store& store, const ReplyRecord& reply) {
  auto outcome = wait_for<ReplyResult>(
      [&](Completion<ReplyResult> done) { store.enqueue_reply(reply, done); });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  return outcome.value;
}

long long count(StoreTestEnv& env, const std::string& sql) {
  return count_rows(env.options.path, sql);
}

}  // namespace

TEST_CASE("a reply retried with its key after a restart returns the first ids and queues nothing") {
  StoreTestEnv env;
  const auto conv = ingest(*env.store, sms("+15551230001", "SM-k1", "hi")).conversation_id;
  const auto first = enqueue(*env.store, keyed_reply(conv, "key-1"));
  CHECK(first.kind == ReplyResult::Kind::stored);
  const auto events = count(env, "SELECT COUNT(*) FROM events");

  env.reopen();  // the in-memory state of the first run is gone; only the database remains
  const auto again = enqueue(*env.store, keyed_reply(conv, "key-1"));
  CHECK(again.kind == ReplyResult::Kind::replayed);
  CHECK(again.message_id == first.message_id);
  CHECK(again.outbox_id == first.outbox_id);
  CHECK(count(env, "SELECT COUNT(*) FROM outbox") == 1);
  CHECK(count(env, "SELECT COUNT(*) FROM messages WHERE direction = 'out'") == 1);
  CHECK(count(env, "SELECT COUNT(*) FROM events") == events);  // no second message.sent
}

TEST_CASE("a key reused for a different reply is a mismatch and stores nothing") {
  StoreTestEnv env;
  const auto conv = ingest(*env.store, sms("+15551230002", "SM-k2", "hi")).conversation_id;
  const auto other = ingest(*env.store, sms("+15551230003", "SM-k3", "hi")).conversation_id;
  const auto first = enqueue(*env.store, keyed_reply(conv, "key-2"));

  auto other_text = keyed_reply(conv, "key-2", "something else");
  auto other_conversation = keyed_reply(other, "key-2");
  auto other_html = keyed_reply(conv, "key-2");
  other_html.body_html = "<p>on its way</p>";
  auto other_attachment = keyed_reply(conv, "key-2");
  other_attachment.attachments[0].url = "https://example.com/other.pdf";
  auto no_attachment = keyed_reply(conv, "key-2");
  no_attachment.attachments.clear();
  for (const auto& changed :
       {other_text, other_conversation, other_html, other_attachment, no_attachment}) {
    const auto r = enqueue(*env.store, changed);
    CHECK(r.kind == ReplyResult::Kind::key_mismatch);
    CHECK(r.message_id == first.message_id);
  }
  CHECK(count(env, "SELECT COUNT(*) FROM outbox") == 1);
  CHECK(count(env, "SELECT COUNT(*) FROM messages WHERE direction = 'out'") == 1);
}

TEST_CASE("keys are per author, and replies without a key are never deduplicated") {
  StoreTestEnv env;
  const auto conv = ingest(*env.store, sms("+15551230004", "SM-k4", "hi")).conversation_id;
  auto alices = keyed_reply(conv, "shared-key");
  auto bobs = keyed_reply(conv, "shared-key");
  bobs.agent_id = "bob";
  CHECK(enqueue(*env.store, alices).kind == ReplyResult::Kind::stored);
  CHECK(enqueue(*env.store, bobs).kind == ReplyResult::Kind::stored);
  const auto unkeyed = keyed_reply(conv, "");
  CHECK(enqueue(*env.store, unkeyed).kind == ReplyResult::Kind::stored);
  CHECK(enqueue(*env.store, unkeyed).kind == ReplyResult::Kind::stored);
  CHECK(count(env, "SELECT COUNT(*) FROM outbox") == 4);
}

TEST_CASE("concurrent replies with one key are serialised by the writer: one is stored") {
  StoreTestEnv env;
  const auto conv = ingest(*env.store, sms("+15551230005", "SM-k5", "hi")).conversation_id;
  constexpr int kRetries = 8;
  std::vector<std::promise<Outcome<ReplyResult>>> promises(kRetries);
  // All queued before any completes: they land in the writer's queue (mostly one batch) together.
  for (auto& p : promises)
    env.store->enqueue_reply(keyed_reply(conv, "key-5"),
                             [&p](Outcome<ReplyResult> o) { p.set_value(std::move(o)); });
  int stored = 0, replayed = 0;
  Id message_id = 0;
  for (auto& p : promises) {
    const auto o = p.get_future().get();
    REQUIRE(o.ok);
    stored += o.value.kind == ReplyResult::Kind::stored;
    replayed += o.value.kind == ReplyResult::Kind::replayed;
    if (message_id == 0) message_id = o.value.message_id;
    CHECK(o.value.message_id == message_id);
  }
  CHECK(stored == 1);
  CHECK(replayed == kRetries - 1);
  CHECK(count(env, "SELECT COUNT(*) FROM outbox") == 1);
}

TEST_CASE("a stored reply still answers its key after the conversation was closed") {
  StoreTestEnv env;
  const auto conv = ingest(*env.store, sms("+15551230006", "SM-k6", "hi")).conversation_id;
  const auto first = enqueue(*env.store, keyed_reply(conv, "key-6"));
  REQUIRE(wait_for<Nothing>([&](auto done) {
            env.store->set_conversation_status(conv, ConversationStatus::closed, "system", done);
          }).ok);
  const auto again = enqueue(*env.store, keyed_reply(conv, "key-6"));
  CHECK(again.kind == ReplyResult::Kind::replayed);
  CHECK(again.message_id == first.message_id);
}
