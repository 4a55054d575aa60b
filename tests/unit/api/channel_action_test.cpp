// What a live channel reports about its conversations (RoutingDispatcher::channel_action): each
// action's transcript event and routing's answer, the agent's wrap-up after a call, the transfer
// mode and the KPIs those events feed.
#include <catch2/catch.hpp>

#include "api_fixture.hpp"

using namespace omnigate;
using namespace omnigate::testing;

namespace {

using Kind = store::ChannelAction::Kind;

store::ChannelActionOutcome act(Api& api, Kind kind, store::Id id, const std::string& agent = "",
                                const std::string& data_json = "") {
  store::ChannelAction a;
  a.kind = kind;
  a.conversation_id = id;
  a.instance = "voice";
  a.agent_id = agent;
  a.reason = "from the test";
  a.data_json = data_json;
  std::promise<store::ChannelActionOutcome> p;
  auto f = p.get_future();
  api.dispatcher->channel_action(a, [&p](store::ChannelActionOutcome o) { p.set_value(o); });
  return f.get();
}

// The data of the conversation's last event of `kind` (null if none).
json last_event(Api& api, store::Id id, const std::string& kind) {
  api.store->flush();
  const auto events = api.store->events_of_kind(id, kind);
  if (events.empty()) return nullptr;
  auto data = json::parse(events.back().data_json);
  data["actor"] = events.back().actor;
  return data;
}

// A customer contact that arrives now (the fixture's inbound() is stamped with a fixed past
// time): the KPIs measure it against deadlines from now.
store::Id arrives_now(Api& api, const std::string& kind, const std::string& from) {
  store::InboundRecord rec;
  rec.channel_instance = rec.channel_kind = kind;
  rec.provider_message_id = kind + "-now-" + from;
  rec.from_kind = kind == "voice" ? "phone" : kind;
  rec.from_address = from;
  rec.to_address = "+18005550000";
  rec.thread_key = kind + ":" + from;
  rec.body_text = "hello";
  const auto r = committed<store::IngestResult>(
      [&](store::Completion<store::IngestResult> done) { api.store->ingest_message(rec, done); });
  api.dispatcher->on_inbound(kind, r, true);
  return r.conversation_id;
}

json agent_entry(Api& api, const std::string& id) {
  const auto r = api.call("GET", "/api/v1/agents", "sue");
  REQUIRE(r.status == 200);
  for (const auto& a : r.body["agents"])
    if (a["id"] == id) return a;
  FAIL("no agent " + id);
  return nullptr;
}

}  // namespace

TEST_CASE("a call answered records the first response by the channel", "[api][voice]") {
  Api api;
  const auto call = api.inbound("voice", "+14155550110");
  REQUIRE(eventually([&] { return api.assigned(call) == "alice"; }));
  const auto o = act(api, Kind::answered, call, "", R"({"call_sid":"CA1"})");
  REQUIRE(o.ok);
  const auto data = last_event(api, call, "conversation.answered");
  CHECK(data["actor"] == "channel:voice");
  CHECK(data["agent"] == "alice");
  CHECK(data["reason"] == "from the test");
  CHECK(data["call_sid"] == "CA1");
  CHECK(api.store->get_conversation(call)->first_response_at);

  CHECK_FALSE(act(api, Kind::answered, 999999).ok);
  CHECK(act(api, Kind::answered, call, "", "[1]").error == "data_json must be a JSON object");
}

TEST_CASE("a call its agent did not answer goes back to the queue, never to that agent again",
          "[api][voice]") {
  Api api;
  const auto call = api.inbound("voice", "+14155550111");
  REQUIRE(eventually([&] { return api.assigned(call) == "alice"; }));
  const auto o = act(api, Kind::requeue, call, "alice");
  REQUIRE(o.ok);
  const auto data = last_event(api, call, "conversation.requeued");
  CHECK(data["actor"] == "channel:voice");
  CHECK(data["agent"] == "alice");
  api.settle(call);
  CHECK(api.store->get_conversation(call)->status == store::ConversationStatus::queued);
  CHECK_FALSE(api.assigned(call));  // alice is free but excluded; bob takes no calls
  // The next agent who can take calls gets it.
  api.upsert(agent("carol", {}, {{"voice", 1}}, store::Presence::online));
  api.user("carol", store::Role::agent, "carol");
  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "carol", R"({"presence":"online"})").status ==
      200);
  REQUIRE(eventually([&] { return api.assigned(call) == "carol"; }));
  CHECK_FALSE(act(api, Kind::requeue, call, "alice").ok);  // carol has it, not alice
}

TEST_CASE("a caller who hangs up in the queue is an abandoned, closed contact", "[api][voice]") {
  Api api(store::Presence::offline);
  const auto call = api.inbound("voice", "+14155550112");
  api.settle(call);
  REQUIRE(act(api, Kind::abandoned, call, "", R"({"wait_ms": 42000})").ok);
  const auto data = last_event(api, call, "conversation.abandoned");
  CHECK(data["wait_ms"] == 42000);
  CHECK(data["actor"] == "channel:voice");
  CHECK(api.store->get_conversation(call)->status == store::ConversationStatus::closed);
  CHECK(act(api, Kind::abandoned, call).ok);  // already closed: nothing to do, no error
  CHECK_FALSE(act(api, Kind::answered, call).ok);

  // Without the channel's wait, the time since it was queued.
  const auto other = api.inbound("voice", "+14155550113");
  api.settle(other);
  REQUIRE(act(api, Kind::abandoned, other).ok);
  CHECK(last_event(api, other, "conversation.abandoned")["wait_ms"].is_number_integer());
}

TEST_CASE("an ended call resolves the conversation and its agent wraps up before the next",
          "[api][voice]") {
  Api api;
  const auto call = api.inbound("voice", "+14155550114");
  REQUIRE(eventually([&] { return api.assigned(call) == "alice"; }));
  REQUIRE(act(api, Kind::ended, call, "", R"({"duration_s": 61})").ok);
  CHECK(api.store->get_conversation(call)->status == store::ConversationStatus::resolved);
  const auto data = last_event(api, call, "conversation.resolved");
  CHECK(data["actor"] == "channel:voice");
  CHECK(data["duration_s"] == 61);
  CHECK_FALSE(act(api, Kind::ended, call).ok);  // already resolved

  REQUIRE(eventually([&] { return agent_entry(api, "alice")["routing_presence"] == "wrap_up"; }));
  CHECK(agent_entry(api, "alice")["wrap_up_until"].is_number_integer());
  CHECK(agent_entry(api, "alice")["presence"] == "online");
  const auto next = api.inbound("voice", "+14155550115");
  api.settle(next);
  CHECK_FALSE(api.assigned(next));  // voice wrap-up: 30 s by default
  // Ready early: going online again ends the wrap-up.
  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"online"})").status ==
      200);
  REQUIRE(eventually([&] { return api.assigned(next) == "alice"; }));
  CHECK(agent_entry(api, "alice")["wrap_up_until"].is_null());
}

TEST_CASE("a wrap-up ends by itself when its time has passed", "[api][voice]") {
  Api api;
  const auto call = api.inbound("voice", "+14155550116");
  REQUIRE(eventually([&] { return api.assigned(call) == "alice"; }));
  REQUIRE(api.call("POST", api.path(call, "/resolve"), "alice").status == 200);
  const auto next = api.inbound("voice", "+14155550117");
  api.settle(next);
  CHECK_FALSE(api.assigned(next));
  api.time_passed = 31 * 1000;  // the dispatcher's next tick sees the wrap-up over
  REQUIRE(eventually([&] { return api.assigned(next) == "alice"; }));
}

TEST_CASE("a channel transfer goes to the named agent or is refused with routing's reason",
          "[api][voice]") {
  Api api;
  const auto call = api.inbound("voice", "+14155550118");
  REQUIRE(eventually([&] { return api.assigned(call) == "alice"; }));
  const auto refused = act(api, Kind::transfer, call, "bob");
  CHECK_FALSE(refused.ok);
  CHECK(refused.error == "bob takes no voice conversations (voice capacity 0)");
  api.upsert(agent("carol", {}, {{"voice", 1}}, store::Presence::online));
  api.user("carol", store::Role::agent, "carol");
  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "carol", R"({"presence":"online"})").status ==
      200);
  REQUIRE(act(api, Kind::transfer, call, "carol", R"({"mode":"warm"})").ok);
  CHECK(api.assigned(call) == "carol");
  const auto data = last_event(api, call, "conversation.transferred");
  CHECK(data["from"] == "alice");
  CHECK(data["mode"] == "warm");
}

TEST_CASE("the transfer API takes a cold or warm mode, warm only to an agent", "[api]") {
  Api api;
  const auto chat = api.inbound("webchat", "visitor-9");
  REQUIRE(eventually([&] { return api.assigned(chat) == "alice"; }));
  auto r = api.call("POST", api.path(chat, "/transfer"), "sue", R"({"team":"x","mode":"warm"})");
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "mode");
  r = api.call("POST", api.path(chat, "/transfer"), "sue", R"({"agent_id":"bob","mode":"hot"})");
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "mode");
  api.upsert(agent("carol", {}, {{"webchat", 1}}, store::Presence::online));
  api.user("carol", store::Role::agent, "carol");
  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "carol", R"({"presence":"online"})").status ==
      200);
  r = api.call("POST", api.path(chat, "/transfer"), "sue", R"({"agent_id":"carol","mode":"warm"})");
  CHECK(r.status == 200);
  CHECK(r.body["mode"] == "warm");
  CHECK(last_event(api, chat, "conversation.assigned")["reason"] ==
        "warm transfer to carol by user:sue");
}

TEST_CASE("KPIs count contacts, answers and abandonments per channel", "[api][kpi]") {
  Api api;
  const auto from = now_ms() - 1000;
  const auto answered = arrives_now(api, "voice", "+14155550120");
  REQUIRE(eventually([&] { return api.assigned(answered) == "alice"; }));
  REQUIRE(act(api, Kind::answered, answered).ok);
  REQUIRE(api.call("POST", api.path(answered, "/resolve"), "alice").status == 200);
  const auto abandoned = arrives_now(api, "voice", "+14155550121");
  api.settle(abandoned);
  REQUIRE(act(api, Kind::abandoned, abandoned, "", R"({"wait_ms": 9000})").ok);
  const auto chat = arrives_now(api, "webchat", "visitor-kpi");
  api.settle(chat);
  api.inbound("voice", "+14155550122");  // created long before the window

  const std::string window =
      "?from=" + std::to_string(from) + "&to=" + std::to_string(now_ms() + 1000);
  auto r = api.call("GET", "/api/v1/kpis" + window + "&channel=voice", "sue");
  REQUIRE(r.status == 200);
  REQUIRE(r.body["by_channel"].size() == 1);
  const auto voice = r.body["by_channel"][0];
  CHECK(voice["channel"] == "voice");
  CHECK(voice["channel_kind"] == "voice");
  CHECK(voice["contacts"] == 2);
  CHECK(voice["answered"] == 1);
  CHECK(voice["abandoned"] == 1);
  CHECK(voice["abandon_rate"] == 0.5);
  CHECK(voice["answered_within_sla"] == 1);
  CHECK(voice["service_level"] == 0.5);
  CHECK(voice["resolved"] == 1);
  CHECK(voice["resolution_rate"] == 0.5);
  CHECK(voice["avg_first_response_ms"].is_number_integer());
  CHECK(voice["avg_wait_ms"].is_number_integer());

  r = api.call("GET", "/api/v1/kpis" + window, "ada");
  REQUIRE(r.status == 200);
  REQUIRE(r.body["by_channel"].size() == 2);
  const auto web = r.body["by_channel"][1];
  CHECK(web["channel"] == "webchat");
  CHECK(web["answered"] == 0);
  CHECK(web["avg_first_response_ms"].is_null());
  CHECK(web["resolution_rate"] == 0.0);

  CHECK(api.call("GET", "/api/v1/kpis", "alice").status == 403);
  CHECK(api.call("GET", "/api/v1/kpis", "quinn").status == 403);
  r = api.call("GET", "/api/v1/kpis?from=soon", "sue");
  CHECK(r.status == 400);
  CHECK(r.body["field"] == "from");
  CHECK(api.call("GET", "/api/v1/kpis?from=10&to=5", "sue").status == 400);
  CHECK(api.call("GET", "/api/v1/kpis?from=0&to=1", "sue").body["by_channel"].empty());
}
