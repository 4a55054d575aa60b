#include "store_test_env.hpp"

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

Outcome<Nothing> set_status(Store& store, Id conversation, ConversationStatus status) {
  return wait_for<Nothing>([&](Completion<Nothing> done) {
    store.set_conversation_status(conversation, status, "agent:alice", done);
  });
}

std::vector<std::string> timeline(Store& store, Id conversation) {
  std::vector<std::string> out;
  for (const auto& entry : store.transcript(conversation)) {
    out.push_back(entry.message ? "message:" + entry.message->body_text : entry.event->kind);
  }
  return out;
}

}  // namespace

TEST_CASE("a known identity joins its customer whatever the spelling") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+1 (555) 123-4567", "SM1", "hello"));
  auto again = sms("+1 555.123.4567", "SM2", "again");
  again.thread_key = "sms:+1 (555) 123-4567";  // the plugin's thread key for the same pair
  const auto second = ingest(*env.store, again);
  CHECK(first.new_conversation);
  CHECK(second.customer_id == first.customer_id);
  CHECK(second.conversation_id == first.conversation_id);
  CHECK_FALSE(second.new_conversation);
  const auto customer = env.store->get_customer(first.customer_id);
  REQUIRE(customer);
  CHECK(customer->tier == Tier::C);
  REQUIRE(customer->identities.size() == 1);
  CHECK(customer->identities[0] ==
        std::make_pair(std::string("phone"), std::string("+15551234567")));
  const auto conversation = env.store->get_conversation(first.conversation_id);
  REQUIRE(conversation);
  CHECK(conversation->customer_address == "+15551234567");
  CHECK(conversation->status == ConversationStatus::queued);
}

TEST_CASE("a new conversation takes priority skills and the customer's tier") {
  StoreTestEnv env;
  auto rec = sms("+15551234567", "SM1", "help");
  rec.skills = {{"billing", 3}};
  rec.default_priority = 2;
  const auto r = ingest(*env.store, rec);
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_customer_tier(r.customer_id, Tier::A, "admin", done);
          }).ok);
  const auto conversation = env.store->get_conversation(r.conversation_id);
  REQUIRE(conversation);
  CHECK(conversation->priority == 2);
  REQUIRE(conversation->skills.size() == 1);
  CHECK(conversation->skills[0].skill == "billing");
  CHECK(conversation->skills[0].level == 3);
  CHECK(conversation->tier == Tier::C);  // snapshot taken when it was opened

  // The customer's next thread starts with the new tier.
  auto next = sms("+15551234567", "SM2", "other matter");
  next.thread_key = "other";
  next.priority = 1;
  const auto r2 = ingest(*env.store, next);
  CHECK(r2.new_conversation);
  CHECK(env.store->get_conversation(r2.conversation_id)->tier == Tier::A);
  CHECK(env.store->get_conversation(r2.conversation_id)->priority == 1);
}

TEST_CASE("a message on a resolved conversation reopens it and a closed one starts anew") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+15551234567", "SM1", "one"));
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->assign_conversation(first.conversation_id, "alice", "{}", done);
          }).ok);
  REQUIRE(set_status(*env.store, first.conversation_id, ConversationStatus::resolved).ok);

  const auto reopened = ingest(*env.store, sms("+15551234567", "SM2", "two"));
  CHECK(reopened.reopened);
  CHECK(reopened.conversation_id == first.conversation_id);
  auto conversation = env.store->get_conversation(first.conversation_id);
  CHECK(conversation->status == ConversationStatus::queued);
  CHECK_FALSE(conversation->assigned_agent);
  CHECK(conversation->previous_agent == std::optional<std::string>("alice"));

  REQUIRE(set_status(*env.store, first.conversation_id, ConversationStatus::closed).ok);
  const auto fresh = ingest(*env.store, sms("+15551234567", "SM3", "three"));
  CHECK(fresh.new_conversation);
  CHECK(fresh.conversation_id != first.conversation_id);
  // Sticky agent: the new conversation remembers who handled this customer last.
  CHECK(env.store->get_conversation(fresh.conversation_id)->previous_agent ==
        std::optional<std::string>("alice"));
}

TEST_CASE("the customer's answer puts a waiting conversation back to assigned") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+15551234567", "SM1", "question"));
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->assign_conversation(first.conversation_id, "alice", "{}", done);
          }).ok);
  REQUIRE(set_status(*env.store, first.conversation_id, ConversationStatus::waiting_customer).ok);
  const auto answer = ingest(*env.store, sms("+15551234567", "SM2", "answer"));
  const auto conversation = env.store->get_conversation(first.conversation_id);
  CHECK(conversation->status == ConversationStatus::assigned);
  CHECK(conversation->assigned_agent == std::optional<std::string>("alice"));
  CHECK(conversation->last_inbound_message_id == answer.message_id);
  // A message on a conversation that was not waiting leaves its status alone.
  const auto more = ingest(*env.store, sms("+15551234567", "SM3", "and more"));
  const auto after = env.store->get_conversation(first.conversation_id);
  CHECK(after->status == ConversationStatus::assigned);
  CHECK(after->last_inbound_message_id == more.message_id);
}

TEST_CASE("a provider retry is stored once and reports the existing ids") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+15551234567", "SM1", "hello"));
  const auto retry = ingest(*env.store, sms("+15551234567", "SM1", "hello"));
  CHECK(retry.duplicate);
  CHECK(retry.message_id == first.message_id);
  CHECK(retry.conversation_id == first.conversation_id);
  CHECK(retry.customer_id == first.customer_id);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM messages") == 1);
  // The same provider id on another channel instance is another message.
  auto other = sms("+15551234567", "SM1", "hello");
  other.channel_instance = "sms2";
  CHECK_FALSE(ingest(*env.store, other).duplicate);
  // Messages without a provider id are never deduplicated against each other.
  ingest(*env.store, sms("+15551234567", "", "a"));
  ingest(*env.store, sms("+15551234567", "", "a"));
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM messages") == 4);
}

TEST_CASE("a malformed record is stored with its raw text") {
  StoreTestEnv env;
  auto rec = sms("not a number", "SM9", "");
  rec.malformed = true;
  rec.raw = "From=not+a+number&Body=";
  const auto r = ingest(*env.store, rec);
  CHECK(count_rows(env.options.path,
                   "SELECT COUNT(*) FROM messages WHERE malformed = 1 AND raw = "
                   "'From=not+a+number&Body='") == 1);
  const auto transcript = env.store->transcript(r.conversation_id);
  REQUIRE_FALSE(transcript.empty());
  CHECK(transcript.back().message->malformed);
  CHECK(env.store->get_customer(r.customer_id)->identities[0].second == "not a number");
}

TEST_CASE("the transcript interleaves messages and events in commit order") {
  StoreTestEnv env;
  const auto r = ingest(*env.store, sms("+15551234567", "SM1", "first"));
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->assign_conversation(r.conversation_id, "alice", "{\"score\":1}", done);
          }).ok);
  ReplyRecord reply;
  reply.conversation_id = r.conversation_id;
  reply.agent_id = "alice";
  reply.body_text = "reply";
  REQUIRE(wait_for<ReplyResult>([&](Completion<ReplyResult> done) {
            env.store->enqueue_reply(reply, done);
          }).ok);
  ingest(*env.store, sms("+15551234567", "SM2", "second"));
  EventRecord note;
  note.conversation_id = r.conversation_id;
  note.kind = "sla.warning";
  note.at = 1;  // an early timestamp must not move it: order is commit order, not time
  REQUIRE(wait_for<Id>([&](Completion<Id> done) { env.store->add_event(note, done); }).ok);

  CHECK(timeline(*env.store, r.conversation_id) ==
        std::vector<std::string>{"conversation.created", "conversation.queued", "message:first",
                                 "conversation.assigned", "message:reply", "message:second",
                                 "sla.warning"});
  const auto transcript = env.store->transcript(r.conversation_id);
  for (std::size_t i = 1; i < transcript.size(); ++i)
    CHECK(transcript[i - 1].seq < transcript[i].seq);
}

TEST_CASE("channel events thread like messages and are deduplicated") {
  StoreTestEnv env;
  auto ev = phone_event("voice", "CA1-answered", "+15551234567", "CA1", "{\"duration\":3}");
  auto start = [&](Completion<IngestResult> done) { env.store->ingest_channel_event(ev, done); };
  const auto first = wait_for<IngestResult>(start);
  REQUIRE(first.ok);
  CHECK(first.value.new_conversation);
  const auto again = wait_for<IngestResult>(start);
  REQUIRE(again.ok);
  CHECK(again.value.duplicate);
  CHECK(again.value.message_id == first.value.message_id);
  CHECK(timeline(*env.store, first.value.conversation_id) ==
        std::vector<std::string>{"conversation.created", "conversation.queued", "call.answered"});

  ev.data_json = "not json";
  ev.provider_event_id = "CA1-other";
  const auto bad = wait_for<IngestResult>(start);
  CHECK_FALSE(bad.ok);
  CHECK_THAT(bad.error, Catch::Contains("data_json"));
}

// The writer remembers which customer and open conversation its last ingests found; these
// cases are the ways that memory could go stale.
TEST_CASE("a change committed by another connection is seen by the next message") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+15551234567", "SM1", "one"));
  CHECK(ingest(*env.store, sms("+15551234567", "SM2", "two")).conversation_id ==
        first.conversation_id);

  // An admin command in another process closes the conversation and moves the number to
  // another customer.
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(env.options.path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_busy_timeout(db, 5000) == SQLITE_OK);
  const std::string sql =
      "BEGIN IMMEDIATE;"
      "UPDATE conversations SET status = 'closed' WHERE id = " +
      std::to_string(first.conversation_id) +
      ";"
      "INSERT INTO customers(display_name, created_at) VALUES ('moved', 0);"
      "UPDATE identities SET customer_id = last_insert_rowid() WHERE address = '+15551234567';"
      "COMMIT;";
  char* error = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
  INFO((error != nullptr ? error : ""));
  sqlite3_free(error);
  sqlite3_close(db);
  REQUIRE(rc == SQLITE_OK);

  const auto next = ingest(*env.store, sms("+15551234567", "SM3", "three"));
  CHECK(next.new_conversation);
  CHECK(next.conversation_id != first.conversation_id);
  CHECK(next.customer_id != first.customer_id);
  CHECK(env.store->get_customer(next.customer_id)->display_name == "moved");
}

TEST_CASE("a write that is rolled back leaves no customer or conversation behind to join") {
  StoreTestEnv env;
  // A channel event for a new number whose data is not JSON: it fails after its customer and
  // conversation were created, and its savepoint takes them back.
  const auto ev = phone_event("sms", "EV1", "+15551234567", "sms:+15551234567", "not json");
  REQUIRE_FALSE(wait_for<IngestResult>([&](Completion<IngestResult> done) {
                  env.store->ingest_channel_event(ev, done);
                }).ok);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM customers") == 0);

  // The same number's message then creates both for real.
  const auto r = ingest(*env.store, sms("+15551234567", "SM1", "hello"));
  CHECK(r.new_conversation);
  const auto customer = env.store->get_customer(r.customer_id);
  REQUIRE(customer);
  REQUIRE(customer->identities.size() == 1);
  const auto conversation = env.store->get_conversation(r.conversation_id);
  REQUIRE(conversation);
  CHECK(conversation->customer_id == r.customer_id);
  CHECK(count_rows(env.options.path, "SELECT COUNT(*) FROM conversations") == 1);
}

TEST_CASE("list_conversations filters by status agent and channel") {
  StoreTestEnv env;
  const auto a = ingest(*env.store, sms("+15551234567", "SM1", "a"));
  const auto b = ingest(*env.store, sms("+15557654321", "SM2", "b"));
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->assign_conversation(b.conversation_id, "bob", "", done);
          }).ok);
  ConversationFilter queued;
  queued.status = ConversationStatus::queued;
  const auto q = env.store->list_conversations(queued);
  REQUIRE(q.size() == 1);
  CHECK(q[0].id == a.conversation_id);
  ConversationFilter bobs;
  bobs.assigned_agent = "bob";
  REQUIRE(env.store->list_conversations(bobs).size() == 1);
  ConversationFilter after;
  after.after_id = a.conversation_id;
  REQUIRE(env.store->list_conversations(after).size() == 1);
  ConversationFilter other_channel;
  other_channel.channel_instance = "email";
  CHECK(env.store->list_conversations(other_channel).empty());
  const auto counts = env.store->queue_counts();
  CHECK(counts.by_status.at("queued") == 1);
  CHECK(counts.by_status.at("assigned") == 1);
}
