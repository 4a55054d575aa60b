// Classifying a conversation through the API: a new priority (which queued conversation the next
// free agent gets), with roles and input checks; what was raised is not raised again when
// routing is rebuilt. (A complaint is filed on the complaint ladder: tests/unit/service.)
#include "api_fixture.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

// The data of each transcript event of `kind`, in order.
std::vector<json> events_of(Api& api, store::Id id, const std::string& kind) {
  api.store->flush();
  std::vector<json> out;
  for (const auto& e : api.store->transcript(id))
    if (e.event && e.event->kind == kind) out.push_back(json::parse(e.event->data_json));
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
  for (const std::string who : {"quinn", "bob"}) {
    CHECK(api.call("POST", api.path(id, "/priority"), who, priority).status == 403);
  }
  CHECK(api.store->get_conversation(id)->priority == 4);
  for (const std::string who : {"alice", "sue", "ada"}) {
    CHECK(api.call("POST", api.path(id, "/priority"), who, priority).status == 200);
  }
  CHECK(api.store->get_conversation(id)->priority == 2);
}

TEST_CASE("bad priority bodies are refused naming the field", "[api]") {
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
}

TEST_CASE("an ended conversation keeps its priority", "[api]") {
  Api api;
  const auto id = alices_conversation(api, "+14155550306");
  REQUIRE(api.call("POST", api.path(id, "/resolve"), "alice").status == 200);
  CHECK(
      api.call("POST", api.path(id, "/priority"), "sue", R"({"priority":1,"reason":"x"})").status ==
      409);
}
