// Classifying a conversation through the API: a new priority (which queued conversation the next
// free agent gets) and a complaint (escalation levels from when it was recorded, also after the
// routing engine is rebuilt from the store), with roles and input checks; what was raised is
// not raised again when routing is rebuilt.
#include "api_fixture.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::committed;
using omnigate::testing::eventually;

namespace {

constexpr store::UnixMs kHour = 3600 * 1000;

// The data of each transcript event of `kind`, in order.
std::vector<json> events_of(Api& api, store::Id id, const std::string& kind) {
  api.store->flush();
  std::vector<json> out;
  for (const auto& e : api.store->transcript(id))
    if (e.event && e.event->kind == kind) out.push_back(json::parse(e.event->data_json));
  return out;
}

// The complaint escalation levels recorded so far, as (level, due_at).
std::vector<std::pair<int, store::UnixMs>> escalations(Api& api, store::Id id) {
  std::vector<std::pair<int, store::UnixMs>> out;
  for (const auto& e : events_of(api, id, "sla.complaint_escalation"))
    out.emplace_back(e["level"].get<int>(), e["due_at"].get<store::UnixMs>());
  return out;
}

// An SMS conversation that alice holds.
store::Id alices_conversation(Api& api, const std::string& from) {
  const auto id = api.inbound("sms", from);
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  return id;
}

}  // namespace

TEST_CASE("a raised priority decides which queued conversation the next free agent gets", "[api]") {
  Api api(store::Presence::online, {{"sms", 1}});  // alice takes one SMS at a time
  const auto held = alices_conversation(api, "+14155550300");
  const auto earlier = api.inbound("sms", "+14155550301");
  const auto later = api.inbound("sms", "+14155550302");
  api.settle(later);
  REQUIRE_FALSE(api.assigned(earlier));  // bob takes no sms: both wait, earlier first

  const auto r = api.call("POST", api.path(later, "/priority"), "sue",
                          R"({"priority":1,"reason":"outage at a hospital"})");
  CHECK(r.status == 200);
  CHECK(r.body == json{{"status", "updated"}, {"priority", 1}});
  REQUIRE(api.call("POST", api.path(held, "/resolve"), "alice").status == 200);
  REQUIRE(eventually([&] { return api.assigned(later) == "alice"; }));
  CHECK_FALSE(api.assigned(earlier));

  CHECK(api.call("GET", api.path(later), "sue").body["conversation"]["priority"] == 1);
  const auto changed = events_of(api, later, "conversation.priority_changed");
  REQUIRE(changed.size() == 1);
  CHECK(changed[0] == json{{"from", 4}, {"to", 1}, {"reason", "outage at a hospital"}});
}

TEST_CASE("a complaint escalates 1 h and 4 h after it was recorded, also after a rebuild",
          "[api]") {
  Api api;
  const auto id = alices_conversation(api, "+14155550303");
  CHECK(api.call("GET", api.path(id), "alice").body["conversation"]["complaint_at"].is_null());
  const auto r = api.call("POST", api.path(id, "/complaint"), "alice",
                          R"({"matter":"charged twice","contact":"+14155550303"})");
  REQUIRE(r.status == 200);
  CHECK(r.body["status"] == "complaint");
  const auto since = r.body["complaint_at"].get<store::UnixMs>();
  CHECK(api.call("GET", api.path(id), "sue").body["conversation"]["complaint_at"] == since);
  const auto complaints = events_of(api, id, "conversation.complaint");
  REQUIRE(complaints.size() == 1);
  CHECK(complaints[0] == json{{"matter", "charged twice"}, {"contact", "+14155550303"}});

  // Half an hour later the customer complains again and routing is rebuilt (SIGHUP): the
  // levels keep the first complaint's times.
  api.time_passed = kHour / 2;
  const auto again =
      api.call("POST", api.path(id, "/complaint"), "sue", R"({"matter":"still charged twice"})");
  CHECK(again.body["complaint_at"] == since);
  api.dispatcher->reload_policy("");
  api.settle(id);
  CHECK(escalations(api, id).empty());

  api.time_passed = kHour + 2000;
  REQUIRE(eventually([&] { return escalations(api, id).size() == 1; }));
  CHECK(escalations(api, id)[0] == std::make_pair(1, since + kHour));
  // Another rebuild does not send level 1 to the account manager again.
  api.dispatcher->reload_policy("");
  api.settle(id);
  CHECK(escalations(api, id).size() == 1);
  api.time_passed = 4 * kHour + 2000;
  REQUIRE(eventually([&] { return escalations(api, id).size() == 2; }));
  CHECK(escalations(api, id)[1] == std::make_pair(2, since + 4 * kHour));
}

TEST_CASE("a rebuild does not raise an escalation or breach the transcript already shows",
          "[api]") {
  // SIGHUP and restarts rebuild routing from the store; supervisors must not be paged again
  // for a P1 they were told about, nor see a second breach of the same deadline.
  Api api;
  const auto id = alices_conversation(api, "+14155550304");
  REQUIRE(api.call("POST", api.path(id, "/priority"), "sue",
                   R"({"priority":1,"reason":"production down"})")
              .status == 200);
  REQUIRE(eventually([&] { return events_of(api, id, "sla.escalation").size() == 1; }));
  const auto due = api.call("GET", api.path(id), "sue")
                       .body["conversation"]["first_response_due"]
                       .get<store::UnixMs>();
  api.time_passed = due - now_ms() + 2000;
  REQUIRE(eventually([&] { return events_of(api, id, "sla.first_response_breach").size() == 1; }));

  api.dispatcher->reload_policy("");
  api.settle(id);
  api.time_passed = api.time_passed + 2000;  // the next tick has looked at every timer again
  api.settle(id);
  CHECK(events_of(api, id, "sla.escalation").size() == 1);
  CHECK(events_of(api, id, "sla.first_response_breach").size() == 1);
  CHECK(events_of(api, id, "sla.first_response_warning").size() <= 1);
}

TEST_CASE(
    "the conversation's agent, supervisors and admins classify it, QA and other agents may not",
    "[api]") {
  Api api;
  const auto id = alices_conversation(api, "+14155550304");
  const std::string priority = R"({"priority":2,"reason":"VIP"})";
  const std::string complaint = R"({"matter":"rude answer"})";
  for (const std::string who : {"quinn", "bob"}) {
    CHECK(api.call("POST", api.path(id, "/priority"), who, priority).status == 403);
    CHECK(api.call("POST", api.path(id, "/complaint"), who, complaint).status == 403);
  }
  CHECK(api.store->get_conversation(id)->priority == 4);
  CHECK_FALSE(api.store->get_conversation(id)->complaint_at);
  for (const std::string who : {"alice", "sue", "ada"}) {
    CHECK(api.call("POST", api.path(id, "/priority"), who, priority).status == 200);
    CHECK(api.call("POST", api.path(id, "/complaint"), who, complaint).status == 200);
  }
  CHECK(api.store->get_conversation(id)->priority == 2);
}

TEST_CASE("bad classification bodies are refused naming the field", "[api]") {
  Api api;
  const auto id = alices_conversation(api, "+14155550305");
  const auto priority = [&](const std::string& body) {
    return api.call("POST", api.path(id, "/priority"), "sue", body);
  };
  for (const std::string bad :
       {R"({"priority":0,"reason":"x"})", R"({"priority":5,"reason":"x"})",
        R"({"priority":"1","reason":"x"})", R"({"priority":1.5,"reason":"x"})"}) {
    const auto r = priority(bad);
    CHECK(r.status == 400);
    CHECK(r.body["error"] == "invalid_field");
    CHECK(r.body["field"] == "priority");
  }
  CHECK(priority(R"({"reason":"x"})").body["field"] == "priority");
  CHECK(priority(R"({"priority":1})").body["field"] == "reason");
  CHECK(priority(R"({"priority":1,"reason":"x","urgent":true})").body["field"] == "urgent");

  const auto complaint = [&](const json& body) {
    return api.call("POST", api.path(id, "/complaint"), "sue", body.dump());
  };
  const auto missing = complaint(json{{"contact", "+1"}});
  CHECK(missing.status == 400);
  CHECK(missing.body["field"] == "matter");
  const auto long_matter = complaint(json{{"matter", std::string(2001, 'x')}});
  CHECK(long_matter.status == 413);
  CHECK(long_matter.body["field"] == "matter");
  std::string accented;
  for (int i = 0; i < 2000; ++i) accented += "\xC3\xA9";  // 2000 characters, 4000 bytes
  CHECK(complaint(json{{"matter", accented}}).status == 200);
  CHECK(complaint(json{{"matter", "x"}, {"contact", 5}}).body["field"] == "contact");
  CHECK(api.call("POST", api.path(999999, "/complaint"), "sue", R"({"matter":"x"})").status == 404);
}

TEST_CASE("ended conversations keep their priority, only a closed one refuses a complaint",
          "[api]") {
  Api api;
  const auto id = alices_conversation(api, "+14155550306");
  REQUIRE(api.call("POST", api.path(id, "/resolve"), "alice").status == 200);
  CHECK(
      api.call("POST", api.path(id, "/priority"), "sue", R"({"priority":1,"reason":"x"})").status ==
      409);
  CHECK(api.call("POST", api.path(id, "/complaint"), "sue", R"({"matter":"late"})").status == 200);
  committed<store::Nothing>([&](auto done) {
    api.store->set_conversation_status(id, store::ConversationStatus::closed, "user:sue", done);
  });
  const auto closed =
      api.call("POST", api.path(id, "/complaint"), "sue", R"({"matter":"very late"})");
  CHECK(closed.status == 409);
  CHECK(closed.body["error"] == "conflict");
}
