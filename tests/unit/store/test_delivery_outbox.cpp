#include "store_test_env.hpp"

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

struct Replied {
  IngestResult inbound;
  ReplyResult reply;
};

Replied reply_to_customer(Store& store) {
  Replied out;
  out.inbound = ingest(store, sms("+15551234567", "SM-in", "hi"));
  Agent alice;
  alice.id = "alice";
  alice.display_name = "Alice Example";
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) { store.upsert_agent(alice, done); }).ok);
  ReplyRecord reply;
  reply.conversation_id = out.inbound.conversation_id;
  reply.agent_id = "alice";
  reply.body_text = "hello back";
  reply.at = 5000;
  auto outcome = wait_for<ReplyResult>(
      [&](Completion<ReplyResult> done) { store.enqueue_reply(reply, done); });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  out.reply = outcome.value;
  return out;
}

void run(const std::function<void(Completion<Nothing>)>& start) {
  auto outcome = wait_for<Nothing>(start);
  INFO(outcome.error);
  REQUIRE(outcome.ok);
}

std::string delivery_state(Store& store, Id conversation, Id message) {
  for (const auto& e : store.transcript(conversation)) {
    if (e.message && e.message->id == message) return e.message->delivery_state;
  }
  return "<missing>";
}

DeliveryResult deliver(Store& store, const std::string& provider_id, const std::string& state) {
  DeliveryRecord d;
  d.channel_instance = "sms";
  d.provider_message_id = provider_id;
  d.state = state;
  d.error_code = state == "undelivered" ? "30003" : "";
  auto outcome = wait_for<DeliveryResult>(
      [&](Completion<DeliveryResult> done) { store.ingest_delivery(d, done); });
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  return outcome.value;
}

}  // namespace

TEST_CASE("an agent reply becomes an outbox row with everything needed to send") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  const auto conversation = env.store->get_conversation(r.inbound.conversation_id);
  CHECK(conversation->status == ConversationStatus::waiting_customer);
  CHECK(conversation->first_response_at == std::optional<UnixMs>(5000));

  const auto due = env.store->due_outbox(10000, 10);
  REQUIRE(due.size() == 1);
  const auto& item = due[0];
  CHECK(item.id == r.reply.outbox_id);
  CHECK(item.message_id == r.reply.message_id);
  CHECK(item.idempotency_key == "og-" + std::to_string(item.id));
  CHECK(item.to_kind == "phone");
  CHECK(item.to_address == "+15551234567");
  CHECK(item.from_address == "+15550001111");
  CHECK(item.in_reply_to == "SM-in");
  CHECK(item.author_name == "Alice Example");
  CHECK(item.body_text == "hello back");
  CHECK(item.state == "pending");
  CHECK(env.store->due_outbox(4999, 10).empty());  // not due before its time
}

TEST_CASE("outbox lifecycle from pending through retry to sent") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  const Id id = r.reply.outbox_id;
  run([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  // A row left in "sending" is crash evidence: it is due whatever the time.
  auto due = env.store->due_outbox(0, 10);
  REQUIRE(due.size() == 1);
  CHECK(due[0].state == "sending");
  CHECK(due[0].attempts == 1);

  run([&](auto done) { env.store->outbox_mark_retry(id, 60000, "timeout", done); });
  CHECK(env.store->due_outbox(59999, 10).empty());
  REQUIRE(env.store->due_outbox(60000, 10).size() == 1);

  run([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  run([&](auto done) { env.store->outbox_mark_sent(id, "SM-out", done); });
  CHECK(env.store->due_outbox(1LL << 50, 10).empty());
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "sent");
  CHECK(env.store->queue_counts().outbox_by_state.at("sent") == 1);
  CHECK(count_rows(env.options.path, "SELECT attempts FROM outbox") == 2);

  // A finished row cannot start another attempt: nothing is sent twice for one row.
  auto again = wait_for<Nothing>([&](auto done) { env.store->outbox_begin_attempt(id, done); });
  CHECK_FALSE(again.ok);
}

TEST_CASE("a permanently failed send marks the message failed") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  run([&](auto done) { env.store->outbox_begin_attempt(r.reply.outbox_id, done); });
  run([&](auto done) {
    env.store->outbox_mark_failed(r.reply.outbox_id, "21211", "invalid number", done);
  });
  CHECK(env.store->due_outbox(1LL << 50, 10).empty());
  const auto transcript = env.store->transcript(r.inbound.conversation_id);
  CHECK(transcript.back().event->kind == "delivery.failed");
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "failed");
}

TEST_CASE("replies to unknown or closed conversations are refused clearly") {
  StoreTestEnv env;
  ReplyRecord reply;
  reply.conversation_id = 4242;
  reply.agent_id = "alice";
  auto missing = wait_for<ReplyResult>([&](auto done) { env.store->enqueue_reply(reply, done); });
  CHECK_FALSE(missing.ok);
  CHECK_THAT(missing.error, Catch::Contains("4242"));

  const auto r = ingest(*env.store, sms("+15551234567", "SM1", "hi"));
  run([&](auto done) {
    env.store->set_conversation_status(r.conversation_id, ConversationStatus::closed, "system",
                                       done);
  });
  reply.conversation_id = r.conversation_id;
  auto closed = wait_for<ReplyResult>([&](auto done) { env.store->enqueue_reply(reply, done); });
  CHECK_FALSE(closed.ok);
  CHECK_THAT(closed.error, Catch::Contains("closed"));
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM outbox") == 0);
}

TEST_CASE("delivery state only moves forward and every receipt is an event") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  run([&](auto done) { env.store->outbox_begin_attempt(r.reply.outbox_id, done); });
  run([&](auto done) { env.store->outbox_mark_sent(r.reply.outbox_id, "SM-out", done); });
  const Id conv = r.inbound.conversation_id;
  const Id msg = r.reply.message_id;

  const auto found = deliver(*env.store, "SM-out", "delivered");
  CHECK(found.found);
  CHECK(found.message_id == msg);
  CHECK(delivery_state(*env.store, conv, msg) == "delivered");
  deliver(*env.store, "SM-out", "sent");  // late "sent" must not move it back
  CHECK(delivery_state(*env.store, conv, msg) == "delivered");
  deliver(*env.store, "SM-out", "read");
  CHECK(delivery_state(*env.store, conv, msg) == "read");
  deliver(*env.store, "SM-out", "undelivered");  // after delivery a failure cannot undo it
  CHECK(delivery_state(*env.store, conv, msg) == "read");

  std::vector<std::string> receipts;
  for (const auto& e : env.store->transcript(conv)) {
    if (e.event && e.event->kind.rfind("delivery.", 0) == 0) receipts.push_back(e.event->kind);
  }
  CHECK(receipts == std::vector<std::string>{"delivery.delivered", "delivery.sent", "delivery.read",
                                             "delivery.undelivered"});
  CHECK_FALSE(deliver(*env.store, "SM-unknown", "delivered").found);
}

TEST_CASE("a failure overrides sent and stays terminal") {
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  run([&](auto done) { env.store->outbox_mark_sent(r.reply.outbox_id, "SM-out", done); });
  deliver(*env.store, "SM-out", "undelivered");
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "undelivered");
  deliver(*env.store, "SM-out", "delivered");
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "undelivered");
  CHECK(env.store->transcript(r.inbound.conversation_id).back().event->kind ==
        "delivery.delivered");
}

TEST_CASE("receipts that arrive before the send was recorded are applied when it is") {
  // The provider calls back ("sent", "delivered") while the gateway has not yet stored the id its
  // API answered with: the receipts must wait for that id, not be lost.
  StoreTestEnv env;
  const auto r = reply_to_customer(*env.store);
  run([&](auto done) { env.store->outbox_begin_attempt(r.reply.outbox_id, done); });
  CHECK_FALSE(deliver(*env.store, "SM-early", "sent").found);
  CHECK_FALSE(deliver(*env.store, "SM-early", "delivered").found);
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "sending");

  run([&](auto done) { env.store->outbox_mark_sent(r.reply.outbox_id, "SM-early", done); });
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "delivered");
  std::vector<std::string> receipts;
  for (const auto& e : env.store->transcript(r.inbound.conversation_id)) {
    if (e.event && e.event->kind.rfind("delivery.", 0) == 0) receipts.push_back(e.event->kind);
  }
  CHECK(receipts == std::vector<std::string>{"delivery.sent", "delivery.delivered"});
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM early_receipts") == 0);

  // Applied once: a later receipt is an ordinary one, and nothing is replayed again.
  deliver(*env.store, "SM-early", "read");
  CHECK(delivery_state(*env.store, r.inbound.conversation_id, r.reply.message_id) == "read");
}
