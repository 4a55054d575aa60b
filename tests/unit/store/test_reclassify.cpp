// A conversation's priority and complaint as the API records them: the change and its
// transcript event in one transaction, and the first complaint's time kept on the conversation.
#include "store_test_env.hpp"

#include <nlohmann/json.hpp>

using namespace omnigate::store;
using namespace omnigate::store::test;

namespace {

Outcome<int> set_priority(Store& store, Id conversation, int priority) {
  return wait_for<int>([&](Completion<int> done) {
    store.set_conversation_priority(
        {conversation, priority, "customer is a hospital", "user:sue", 1'000'000}, done);
  });
}

// A new complaint filed at `at` about the conversation, with its "complaint.filed" event.
Outcome<Id> complain(Store& store, Id conversation, UnixMs at, const std::string& matter) {
  ComplaintWrite write;
  write.complaint.conversation_id = conversation;
  write.complaint.customer_id = store.get_conversation(conversation)->customer_id;
  write.complaint.severity = "normal";
  write.complaint.status = "open";
  write.complaint.filed_at = at;
  write.complaint.record_json = nlohmann::json{{"matter", matter}}.dump();
  write.events.push_back({conversation, "complaint.filed", "user:alice",
                          nlohmann::json{{"matter", matter}}.dump(), at});
  write.at = at;
  return wait_for<Id>([&](Completion<Id> done) { store.save_complaint(write, done); });
}

// The data of each event of `kind` in the conversation's transcript, in order.
std::vector<nlohmann::json> events_of(Store& store, Id conversation, const std::string& kind) {
  std::vector<nlohmann::json> out;
  for (const auto& e : store.transcript(conversation))
    if (e.event && e.event->kind == kind) out.push_back(nlohmann::json::parse(e.event->data_json));
  return out;
}

}  // namespace

TEST_CASE("a priority change is stored with an event naming old and new priority and why") {
  StoreTestEnv env;
  const auto id = ingest(*env.store, sms("+15551230000", "SM1", "help")).conversation_id;
  const auto r = set_priority(*env.store, id, 1);
  REQUIRE(r.ok);
  CHECK(r.value == 4);
  CHECK(env.store->get_conversation(id)->priority == 1);
  const auto events = events_of(*env.store, id, "conversation.priority_changed");
  REQUIRE(events.size() == 1);
  CHECK(events[0] == nlohmann::json{{"from", 4}, {"to", 1}, {"reason", "customer is a hospital"}});
  CHECK_FALSE(set_priority(*env.store, id, 5).ok);
}

TEST_CASE("a resolved conversation's priority is not changed") {
  StoreTestEnv env;
  const auto id = ingest(*env.store, sms("+15551230001", "SM1", "help")).conversation_id;
  REQUIRE(wait_for<Nothing>([&](Completion<Nothing> done) {
            env.store->set_conversation_status(id, ConversationStatus::resolved, "user:sue", done);
          }).ok);
  CHECK_FALSE(set_priority(*env.store, id, 1).ok);
  CHECK(env.store->get_conversation(id)->priority == 4);
}

TEST_CASE("the first complaint's time is kept and every complaint is in the transcript") {
  StoreTestEnv env;
  const auto id = ingest(*env.store, sms("+15551230002", "SM1", "help")).conversation_id;
  CHECK_FALSE(env.store->get_conversation(id)->complaint_at);
  const auto first = complain(*env.store, id, 5000, "invoice charged twice");
  REQUIRE(first.ok);
  CHECK(env.store->get_conversation(id)->complaint_at == 5000);
  const auto second = complain(*env.store, id, 9000, "still charged twice");
  REQUIRE(second.ok);
  CHECK(second.value != first.value);
  env.reopen();
  CHECK(env.store->get_conversation(id)->complaint_at == 5000);
  const auto events = events_of(*env.store, id, "complaint.filed");
  REQUIRE(events.size() == 2);
  CHECK(events[0] ==
        nlohmann::json{{"matter", "invoice charged twice"}, {"complaint_id", first.value}});
  CHECK(events[1]["matter"] == "still charged twice");
}
