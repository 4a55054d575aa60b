// The agents' workspace in the store: internal notes, user preferences, canned responses, the
// merge of two conversations of one customer, and the activity the event stream relays.
#include "store_test_env.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

using namespace omnigate::store;
using namespace omnigate::store::test;
using nlohmann::json;

namespace {

template <class T>
T ok(Outcome<T> outcome) {
  INFO(outcome.error);
  REQUIRE(outcome.ok);
  return std::move(outcome.value);
}

Note note(Store& store, Id conversation, const std::string& body) {
  return ok(wait_for<Note>([&](Completion<Note> done) {
    store.add_note({0, conversation, "alice", body, 0}, done);
  }));
}

Outcome<CannedResponse> save(Store& store, CannedResponse r) {
  return wait_for<CannedResponse>(
      [&](Completion<CannedResponse> done) { store.save_canned_response(r, done); });
}

CannedResponse canned(std::string shortcut, std::string body,
                      std::optional<std::string> language = std::nullopt,
                      std::optional<std::string> team = std::nullopt) {
  CannedResponse r;
  r.shortcut = std::move(shortcut);
  r.title = "Title of " + r.shortcut;
  r.body = std::move(body);
  r.language = std::move(language);
  r.team = std::move(team);
  r.updated_by = "sue";
  return r;
}

Outcome<ConversationMergeResult> merge(Store& store, Id into, Id from) {
  return wait_for<ConversationMergeResult>([&](Completion<ConversationMergeResult> done) {
    store.merge_conversations({into, from, "user:sue", 0}, done);
  });
}

std::vector<std::string> event_kinds(Store& store, Id conversation) {
  std::vector<std::string> kinds;
  for (const auto& e : store.transcript(conversation))
    if (e.event) kinds.push_back(e.event->kind);
  return kinds;
}

bool has(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) != kinds.end();
}

}  // namespace

TEST_CASE("a note is a transcript event that names itself and reaches no outbox") {
  StoreTestEnv env;
  const auto in = ingest(*env.store, sms("+15551234567", "SM1", "hi"));
  const auto n = note(*env.store, in.conversation_id, "customer sounds upset");
  CHECK(n.id > 0);
  CHECK(n.created_at > 0);
  const auto entries = env.store->transcript(in.conversation_id);
  REQUIRE(entries.back().event);
  const auto& e = *entries.back().event;
  CHECK(e.id == n.id);
  CHECK(e.kind == "note.added");
  CHECK(e.actor == "user:alice");
  CHECK(json::parse(e.data_json) == json{{"note_id", n.id}, {"body", "customer sounds upset"}});
  // Naming itself changes the event's data after insertion: the hash chain still holds, and a
  // card number in a note is masked like any stored text.
  CHECK_FALSE(env.store->verify_transcripts(in.conversation_id));
  const auto card = note(*env.store, in.conversation_id, "paid with 4111 1111 1111 1111");
  CHECK(card.body == "paid with **** **** **** 1111");
  CHECK_FALSE(env.store->verify_transcripts(in.conversation_id));
  CHECK(env.store->due_outbox(std::numeric_limits<UnixMs>::max(), 10).empty());

  const auto missing = wait_for<Note>([&](Completion<Note> done) {
    env.store->add_note({0, 999, "alice", "x", 0}, done);
  });
  CHECK_FALSE(missing.ok);
  CHECK(missing.error.find("does not exist") != std::string::npos);
}

TEST_CASE("preferences are kept per user and cleared with an unset value") {
  StoreTestEnv env;
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->upsert_user({"ann", {Role::agent}, std::nullopt}, "", done);
          }).ok);
  auto prefs = env.store->user_preferences("ann");
  REQUIRE(prefs);
  CHECK_FALSE(prefs->language);
  ok(wait_for<Nothing>([&](Completion<Nothing> done) {
    env.store->set_user_preferences("ann", {"zh-CN", "Asia/Shanghai"}, done);
  }));
  prefs = env.store->user_preferences("ann");
  CHECK(prefs->language == "zh-CN");
  CHECK(prefs->time_zone == "Asia/Shanghai");
  ok(wait_for<Nothing>([&](Completion<Nothing> done) {
    env.store->set_user_preferences("ann", {"en", std::nullopt}, done);
  }));
  prefs = env.store->user_preferences("ann");
  CHECK(prefs->language == "en");
  CHECK_FALSE(prefs->time_zone);

  CHECK_FALSE(env.store->user_preferences("nobody"));
  CHECK_FALSE(wait_for<Nothing>([&](Completion<Nothing> done) {
                env.store->set_user_preferences("nobody", {}, done);
              }).ok);
}

TEST_CASE("canned responses: one shortcut per language, found by text, language and team") {
  StoreTestEnv env;
  const auto ship = ok(save(*env.store, canned("ship", "Your order SHIPS today", "en")));
  CHECK(ship.id > 0);
  CHECK(ship.updated_at > 0);
  const auto ship_zh = ok(save(*env.store, canned("ship", "您的订单今天发货", "zh-CN")));
  ok(save(*env.store, canned("hello", "Hello {{customer.name}}", std::nullopt, "billing")));

  const auto dup = save(*env.store, canned("ship", "again", "en"));
  CHECK_FALSE(dup.ok);
  CHECK(dup.error.rfind("conflict: ", 0) == 0);
  // The same shortcut for any language is another row; twice is a conflict too.
  ok(save(*env.store, canned("bye", "Bye")));
  CHECK_FALSE(save(*env.store, canned("bye", "Bye again")).ok);

  CHECK(env.store->list_canned_responses({}).size() == 4);
  auto found = env.store->list_canned_responses({"ships", std::nullopt, std::nullopt});
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == ship.id);
  found = env.store->list_canned_responses({"", std::string("zh-CN"), std::nullopt});
  REQUIRE(found.size() == 3);  // bye and hello are for any language
  CHECK(found[2].id == ship_zh.id);
  found = env.store->list_canned_responses({"", std::nullopt, std::string("support")});
  CHECK(found.size() == 3);  // not billing's hello

  auto changed = ship;
  changed.body = "Shipped";
  changed.language = std::nullopt;
  CHECK(ok(save(*env.store, changed)).body == "Shipped");
  CHECK_FALSE(env.store->get_canned_response(ship.id)->language);
  changed.id = 999;
  CHECK(save(*env.store, changed).error.find("does not exist") != std::string::npos);

  ok(wait_for<Nothing>(
      [&](Completion<Nothing> done) { env.store->delete_canned_response(ship.id, done); }));
  CHECK_FALSE(env.store->get_canned_response(ship.id));
  CHECK_FALSE(wait_for<Nothing>([&](Completion<Nothing> done) {
                env.store->delete_canned_response(ship.id, done);
              }).ok);
}

TEST_CASE("merging two conversations of one customer resolves the absorbed one, once") {
  StoreTestEnv env;
  const auto first = ingest(*env.store, sms("+15551234567", "SM1", "hi"));
  auto other_thread = sms("+15551234567", "SM2", "me again");
  other_thread.thread_key = "another thread";
  const auto second = ingest(*env.store, other_thread);
  REQUIRE(first.customer_id == second.customer_id);
  REQUIRE(first.conversation_id != second.conversation_id);
  const auto stranger = ingest(*env.store, sms("+15557654321", "SM3", "hello"));

  auto r = merge(*env.store, first.conversation_id, stranger.conversation_id);
  CHECK(r.error.rfind("conflict: ", 0) == 0);
  CHECK(merge(*env.store, first.conversation_id, first.conversation_id)
            .error.rfind("conflict: ", 0) == 0);
  CHECK(merge(*env.store, first.conversation_id, 999).error.find("does not exist") !=
        std::string::npos);

  CHECK(ok(merge(*env.store, first.conversation_id, second.conversation_id)).resolved_from);
  CHECK(env.store->get_conversation(second.conversation_id)->status ==
        ConversationStatus::resolved);
  CHECK(env.store->get_conversation(first.conversation_id)->status == ConversationStatus::queued);
  const auto from_events = env.store->events_of_kind(second.conversation_id, "conversation.");
  REQUIRE(from_events.size() >= 2);
  CHECK(from_events[from_events.size() - 2].kind == "conversation.resolved");
  CHECK(json::parse(from_events[from_events.size() - 2].data_json)["reason"] ==
        "merged into #" + std::to_string(first.conversation_id));
  CHECK(from_events.back().kind == "conversation.merged_into");
  CHECK(json::parse(from_events.back().data_json)["into"] == first.conversation_id);
  const auto into_events = env.store->events_of_kind(first.conversation_id, "conversation.merged");
  REQUIRE(into_events.size() == 1);
  CHECK(json::parse(into_events[0].data_json)["from"] == second.conversation_id);
  // The messages stay where they were.
  const auto absorbed = env.store->transcript(second.conversation_id);
  CHECK(std::any_of(absorbed.begin(), absorbed.end(), [](const auto& e) { return e.message; }));

  // Neither way round a second time.
  CHECK(
      merge(*env.store, first.conversation_id, second.conversation_id).error.rfind("conflict", 0) ==
      0);
  CHECK(
      merge(*env.store, second.conversation_id, first.conversation_id).error.rfind("conflict", 0) ==
      0);
  CHECK(has(event_kinds(*env.store, first.conversation_id), "conversation.merged"));
}

TEST_CASE("the activity the stream relays: notes, replies and delivery states with their message") {
  StoreTestEnv env;
  const auto in = ingest(*env.store, sms("+15551234567", "SM1", "hi"));
  const Id start = env.store->last_event_id();
  CHECK(start > 0);
  CHECK(env.store->activity_after(start, 10).empty());  // message.received is not relayed
  const auto n = note(*env.store, in.conversation_id, "a note");
  ReplyRecord reply;
  reply.conversation_id = in.conversation_id;
  reply.agent_id = "alice";
  reply.body_text = "hello back";
  const auto sent = ok(wait_for<ReplyResult>(
      [&](Completion<ReplyResult> done) { env.store->enqueue_reply(reply, done); }));
  ok(wait_for<Nothing>([&](Completion<Nothing> done) {
    env.store->outbox_mark_failed(sent.outbox_id, "21610", "unsubscribed", done);
  }));

  const auto activity = env.store->activity_after(start, 10);
  REQUIRE(activity.size() == 3);
  CHECK(activity[0].event.id == n.id);
  CHECK(activity[0].event.kind == "note.added");
  CHECK(activity[1].event.kind == "message.sent");
  CHECK(activity[1].message_id == sent.message_id);
  CHECK(activity[2].event.kind == "delivery.failed");
  CHECK(activity[2].message_id == sent.message_id);
  CHECK(env.store->activity_after(activity[1].event.id, 10).size() == 1);
  CHECK(env.store->last_event_id() == activity[2].event.id);
}
