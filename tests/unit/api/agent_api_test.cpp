// The /api/v1 routes driven through the real Router with a real SQLite store, the real routing
// engine behind RoutingDispatcher and a real OutboxSender (its channel is a recording double).
#include "api_fixture.hpp"

#include "api/admin_api.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::committed;
using omnigate::testing::customer_writes;
using omnigate::testing::eventually;

TEST_CASE("requests without a valid bearer token get 401 asking for one", "[api]") {
  Api api;
  for (const std::string who : {"", "nobody"}) {
    const auto r = api.call("GET", "/api/v1/me", who);
    CHECK(r.status == 401);
    CHECK(r.body["error"] == "unauthorized");
    CHECK(std::find(r.headers.begin(), r.headers.end(),
                    std::pair<std::string, std::string>{"WWW-Authenticate", "Bearer"}) !=
          r.headers.end());
  }
  const auto me = api.call("GET", "/api/v1/me", "alice");
  CHECK(me.status == 200);
  CHECK(me.body == json{{"name", "alice"},
                        {"role", "agent"},
                        {"roles", {"agent"}},
                        {"agent_id", "alice"},
                        {"language", nullptr},
                        {"time_zone", nullptr}});
}

TEST_CASE("the Bearer scheme is matched in any case; other schemes are 401", "[api]") {
  Api api;
  auto me = [&api](const std::string& authorization) {
    return api.call("GET", "/api/v1/me", "", "", {{"Authorization", authorization}});
  };
  for (const std::string scheme : {"Bearer", "bearer", "BEARER", "bEaReR"}) {
    INFO(scheme);
    const auto r = me(scheme + " sue-token");
    CHECK(r.status == 200);
    CHECK(r.body["name"] == "sue");
  }
  CHECK(me("Bearer   sue-token").status == 200);  // RFC 6750: one or more spaces
  for (const std::string refused :
       {"Basic sue-token", "Token sue-token", "Bearersue-token", "Bearers sue-token", "bearer ",
        "bearer", "sue-token", "Bearer\tsue-token"}) {
    INFO(refused);
    CHECK(me(refused).status == 401);
  }
}

TEST_CASE("each endpoint refuses the roles it does not allow with 403 naming the role", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550100");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const auto qa_reply = api.call("POST", api.path(id, "/reply"), "quinn", R"({"text":"hi"})");
  CHECK(qa_reply.status == 403);
  CHECK(qa_reply.body["message"].get<std::string>().find("agent or supervisor") !=
        std::string::npos);
  CHECK(api.call("GET", "/api/v1/agents", "alice").status == 200);  // transfer targets
  CHECK(api.call("GET", "/api/v1/agents", "quinn").status == 403);
  CHECK(api.call("GET", "/api/v1/queue", "alice").status == 403);
  CHECK(api.call("GET", api.path(id, "/explain"), "alice").status == 403);
  CHECK(api.call("PUT", "/api/v1/agents/me/presence", "quinn", R"({"presence":"away"})").status ==
        403);
  CHECK(api.call("POST", api.path(id, "/resolve"), "quinn").status == 403);
  const auto sup_reload = api.call("POST", "/api/v1/admin/routing/reload", "sue", "{}");
  CHECK(sup_reload.status == 403);
  CHECK(sup_reload.body["message"].get<std::string>().find("admin") != std::string::npos);
  CHECK(api.call("POST", "/api/v1/admin/routing/reload", "ada", "{}").status == 200);
  CHECK(api.call("GET", "/api/v1/agents", "sue").status == 200);
  CHECK(api.call("GET", "/api/v1/queue", "ada").status == 200);
}

TEST_CASE("an agent cannot read or answer another agent's conversation", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550101");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  CHECK(api.call("GET", api.path(id), "bob").status == 403);
  CHECK(api.call("POST", api.path(id, "/reply"), "bob", R"({"text":"hi"})").status == 403);
  CHECK(api.call("GET", "/api/v1/conversations", "bob").body["conversations"].empty());
  CHECK(api.call("GET", "/api/v1/conversations?assigned_agent=alice", "bob").status == 403);
  CHECK(api.call("GET", api.path(id), "alice").status == 200);
  CHECK(api.call("GET", api.path(id), "sue").status == 200);
  CHECK(api.call("GET", api.path(id), "quinn").status == 200);  // QA reads transcripts
  CHECK(api.call("GET", "/api/v1/conversations", "alice").body["conversations"].size() == 1);
}

TEST_CASE("a reply becomes an outbox row the woken sender delivers, once per Idempotency-Key",
          "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550102");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const http::HeaderList key = {{"Idempotency-Key", "k-1"}};
  const auto r = api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"on its way"})", key);
  REQUIRE(r.status == 202);
  const auto outbox_id = r.body["outbox_id"].get<store::Id>();
  CHECK(r.body["message_id"].get<store::Id>() > 0);
  REQUIRE(eventually([&] { return api.channel.sent(outbox_id); }));

  const auto again =
      api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"on its way"})", key);
  CHECK(again.status == 202);
  CHECK(again.body["outbox_id"] == outbox_id);
  int replies = 0;
  for (const auto& e : api.store->transcript(id))
    if (e.message && e.message->direction == "out") ++replies;
  CHECK(replies == 1);
  CHECK(api.store->get_conversation(id)->status == store::ConversationStatus::waiting_customer);
}

TEST_CASE("invalid request bodies are refused with the field named", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550103");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const auto reply = api.path(id, "/reply");
  auto empty = api.call("POST", reply, "alice", R"({"text":""})");
  CHECK(empty.status == 400);
  CHECK(empty.body["field"] == "text");
  auto unknown = api.call("POST", reply, "alice", R"({"text":"hi","txt":"typo"})");
  CHECK(unknown.status == 400);
  CHECK(unknown.body["field"] == "txt");
  CHECK(api.call("POST", reply, "alice", "{not json").body["error"] == "bad_json");
  auto too_long = api.call("POST", reply, "alice", json{{"text", std::string(70000, 'x')}}.dump());
  CHECK(too_long.status == 413);
  CHECK(too_long.body["field"] == "text");
  auto bad_presence =
      api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"asleep"})");
  CHECK(bad_presence.status == 400);
  CHECK(bad_presence.body["field"] == "presence");
  CHECK(api.call("POST", api.path(id, "/transfer"), "sue", R"({"agent_id":"bob","team":"x"})")
            .status == 400);
  CHECK(api.call("GET", "/api/v1/conversations?limit=0", "sue").body["field"] == "limit");
  CHECK(api.call("GET", "/api/v1/conversations/abc", "sue").body["field"] == "id");
  CHECK(api.call("GET", "/api/v1/conversations/999999", "sue").status == 404);
}

TEST_CASE("resolving frees the agent's capacity for the next queued conversation", "[api]") {
  Api api(store::Presence::online, {{"sms", 1}});
  const auto first = api.inbound("sms", "+14155550104");
  REQUIRE(eventually([&] { return api.assigned(first) == "alice"; }));
  const auto second = api.inbound("sms", "+14155550105");
  api.settle(second);
  CHECK_FALSE(api.assigned(second));  // alice is full and bob takes no sms
  const auto r = api.call("POST", api.path(first, "/resolve"), "alice");
  CHECK(r.status == 200);
  CHECK(api.store->get_conversation(first)->status == store::ConversationStatus::resolved);
  REQUIRE(eventually([&] { return api.assigned(second) == "alice"; }));
}

TEST_CASE("an agent going offline re-queues live chats and keeps e-mail", "[api]") {
  Api api;
  const auto chat = api.inbound("webchat", "visitor-1");
  const auto mail = api.inbound("email", "carol@example.com");
  REQUIRE(eventually([&] { return api.assigned(chat) == "alice"; }));
  // bob has the email skill too: move the e-mail to alice explicitly.
  REQUIRE(eventually([&] { return api.assigned(mail).has_value(); }));
  if (api.assigned(mail) != "alice")
    REQUIRE(
        api.call("POST", api.path(mail, "/transfer"), "sue", R"({"agent_id":"alice"})").status ==
        200);
  REQUIRE(eventually([&] { return api.assigned(mail) == "alice"; }));

  const auto r =
      api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"offline"})");
  CHECK(r.status == 200);
  api.settle(chat);
  const auto c = api.store->get_conversation(chat);
  CHECK(c->status == store::ConversationStatus::queued);
  CHECK_FALSE(c->assigned_agent);
  CHECK(api.assigned(mail) == "alice");
}

TEST_CASE("a conversation re-queued by an agent going offline keeps its place across a rebuild",
          "[api]") {
  // The engine keeps a re-queued live chat at its original position; the store must too, or a
  // restart (or SIGHUP) would send it behind everyone who arrived after it, with later SLAs.
  Api api(store::Presence::online, {{"webchat", 1}});
  const auto first = api.inbound("webchat", "visitor-1");
  REQUIRE(eventually([&] { return api.assigned(first) == "alice"; }));
  const auto second = api.inbound("webchat", "visitor-2");  // waits: alice is full
  api.settle(second);
  const auto arrived = api.store->get_conversation(first)->queued_at;

  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"offline"})").status ==
      200);
  api.settle(first);
  REQUIRE(api.store->get_conversation(first)->status == store::ConversationStatus::queued);
  CHECK(api.store->get_conversation(first)->queued_at == arrived);

  api.dispatcher->reload_policy("");
  REQUIRE(
      api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"online"})").status ==
      200);
  REQUIRE(eventually([&] { return api.assigned(first) || api.assigned(second); }));
  api.settle(first);
  CHECK(api.assigned(first) == "alice");
  CHECK_FALSE(api.assigned(second));
}

TEST_CASE("a transfer to a team still holds after routing is rebuilt from the store", "[api]") {
  // Restart and SIGHUP rebuild the engine from the store: the team a supervisor sent the
  // conversation to must come back with it, or the support agents would take billing's work.
  Api api;
  const auto id = api.inbound("sms", "+14155550109");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  REQUIRE(api.call("POST", api.path(id, "/transfer"), "sue", R"({"team":"billing"})").status ==
          200);
  api.settle(id);
  CHECK_FALSE(api.assigned(id));  // nobody in billing: it waits
  CHECK(api.store->get_conversation(id)->team == "billing");
  CHECK(api.call("GET", api.path(id), "sue").body["conversation"]["team"] == "billing");

  api.dispatcher->reload_policy("");
  api.settle(id);
  CHECK_FALSE(api.assigned(id));
  CHECK(api.call("GET", api.path(id, "/explain"), "sue").body.dump().find("billing") !=
        std::string::npos);
}

TEST_CASE("a message whose bytes are not UTF-8 still reads back as U+FFFD", "[api]") {
  // Plugins keep what the customer sent (a Latin-1 e-mail part, a carrier's odd SMS); one such
  // message must not make the whole conversation unreadable.
  Api api;
  const auto r = customer_writes(*api.store, "sms", "+14155550120", "caf\xE9 broken", "sms-latin1");
  const auto read = api.call("GET", api.path(r.conversation_id), "sue");
  REQUIRE(read.status == 200);
  bool found = false;
  for (const auto& entry : read.body["transcript"])
    if (entry["type"] == "message")
      found = entry["message"]["body_text"] == "caf\xEF\xBF\xBD broken";
  CHECK(found);
}

TEST_CASE("the transcript interleaves messages and events in commit order", "[api]") {
  Api api;
  const auto id = api.inbound("sms", "+14155550106");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  REQUIRE(api.call("POST", api.path(id, "/reply"), "alice", R"({"text":"hello"})").status == 202);
  api.store->flush();
  const auto r = api.call("GET", api.path(id), "sue");
  REQUIRE(r.status == 200);
  const auto& t = r.body["transcript"];
  REQUIRE(t.size() >= 3);
  std::int64_t last = 0;
  std::vector<std::string> order;
  for (const auto& e : t) {
    CHECK(e["seq"].get<std::int64_t>() > last);
    last = e["seq"];
    CHECK(e.contains("at"));
    order.push_back(e["type"] == "message"
                        ? "message:" + e["message"]["direction"].get<std::string>()
                        : e["event"]["kind"].get<std::string>());
    if (e["type"] == "event" && e["event"]["kind"] == "conversation.assigned")
      CHECK_FALSE(e["event"]["data"]["reason"].get<std::string>().empty());
  }
  const auto at = [&](const std::string& what) {
    return std::find(order.begin(), order.end(), what) - order.begin();
  };
  CHECK(at("message:in") < at("conversation.assigned"));
  CHECK(at("conversation.assigned") < at("message:out"));
  CHECK(at("message:out") < static_cast<long>(order.size()));
  CHECK(r.body["customer"]["id"] == r.body["conversation"]["customer_id"]);
}

TEST_CASE("an SMS conversation goes only to an agent with SMS capacity", "[api]") {
  Api api(store::Presence::offline);  // only bob (sms capacity 0) is online
  const auto id = api.inbound("sms", "+14155550107");
  api.settle(id);
  CHECK_FALSE(api.assigned(id));
  CHECK(api.call("PUT", "/api/v1/agents/me/presence", "alice", R"({"presence":"online"})").status ==
        200);
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
}

TEST_CASE("a restarted dispatcher counts restored assignments against the agent's capacity",
          "[api]") {
  Api api(store::Presence::online, {{"sms", 1}});
  const auto first = api.inbound("sms", "+14155550108");
  REQUIRE(eventually([&] { return api.assigned(first) == "alice"; }));
  api.dispatcher->stop();

  dispatch::RoutingDispatcher restarted(*api.store, *api.executor, api.metrics, "");
  restarted.start();
  const auto second = customer_writes(*api.store, "sms", "+14155550109", "hi", "sms-second");
  restarted.on_inbound("sms", second, true);
  std::promise<std::string> why;
  restarted.explain(second.conversation_id, [&why](std::string w) { why.set_value(std::move(w)); });
  why.get_future().get();
  api.store->flush();
  CHECK_FALSE(api.assigned(second.conversation_id));  // alice's one SMS slot is still taken

  committed<store::Nothing>([&](auto done) {
    api.store->set_conversation_status(first, store::ConversationStatus::resolved, "user:alice",
                                       done);
  });
  restarted.resolved(first);
  REQUIRE(eventually([&] { return api.assigned(second.conversation_id) == "alice"; }));
  restarted.stop();
}

TEST_CASE("an invalid routing policy is refused naming the key and the old one stays", "[api]") {
  Api api;
  const auto r =
      api.call("POST", "/api/v1/admin/routing/reload", "ada", R"({"selection":"coin_flip"})");
  CHECK(r.status == 400);
  CHECK(r.body["error"] == "invalid_policy");
  CHECK(r.body["message"].get<std::string>().find("selection") != std::string::npos);
  const auto id = api.inbound("sms", "+14155550110");
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
}

TEST_CASE("a reloaded policy setting sla.complaint_escalation is refused naming [complaints]",
          "[api]") {
  Api api;
  const auto r = api.call("POST", "/api/v1/admin/routing/reload", "ada",
                          R"({"sla":{"complaint_escalation":["1h","4h","24h"]}})");
  CHECK(r.status == 400);
  CHECK(r.body["error"] == "invalid_policy");
  CHECK_THAT(r.body["message"].get<std::string>(),
             Catch::StartsWith("routing.sla.complaint_escalation: no longer supported") &&
                 Catch::Contains("[complaints]"));
}

TEST_CASE("a refused transfer's 409 names the limit that refused: total or per channel", "[api]") {
  for (const auto& [capacity, refusal] :
       {std::pair<std::map<std::string, int>, std::string>{
            {{"sms", 5}, {"total", 1}},
            "alice is at total capacity: 1 of 1 conversations across all channels"},
        {{{"sms", 1}, {"total", 5}}, "alice is at sms capacity: 1 of 1 sms conversations"}}) {
    Api api(store::Presence::online, capacity);
    const auto first = api.inbound("sms", "+14155550301");
    REQUIRE(eventually([&] { return api.assigned(first) == "alice"; }));
    const auto second = api.inbound("sms", "+14155550302");  // bob takes no sms: it waits
    api.settle(second);
    const auto r =
        api.call("POST", api.path(second, "/transfer"), "sue", R"({"agent_id":"alice"})");
    CHECK(r.status == 409);
    CHECK(r.body["message"] == refusal);
  }
}

TEST_CASE("GET /agents/{id} is the same JSON as that agent's entry in GET /agents", "[api]") {
  Api api;
  api::AdminApi admin(*api.store, *api.dispatcher);
  admin.register_routes(api.router);
  const auto chat = api.inbound("webchat", "visitor-9");
  REQUIRE(eventually([&] { return api.assigned(chat) == "alice"; }));
  const auto created = api.call("POST", "/api/v1/admin/agents", "ada",
                                R"({"id": "dee", "skills": [{"skill": "sms", "level": 2}]})");
  REQUIRE(created.status == 201);
  CHECK(created.body == api.call("GET", "/api/v1/agents/dee", "sue").body);
  const auto list = api.call("GET", "/api/v1/agents", "sue");
  REQUIRE(list.status == 200);
  for (const auto& entry : list.body["agents"]) {
    const auto one = api.call("GET", "/api/v1/agents/" + entry["id"].get<std::string>(), "sue");
    REQUIRE(one.status == 200);
    CHECK(one.body == entry);
  }
  CHECK(list.body["agents"].size() == 3);
}

TEST_CASE("the conversation list filters by tier, priority, team and text", "[api]") {
  Api api;
  const auto first = api.inbound("sms", "+14155550111");
  const auto second = api.inbound("sms", "+14155550122");
  api.settle(second);
  REQUIRE(api.call("POST", api.path(second, "/priority"), "sue",
                   R"({"priority":2,"reason":"customer is down"})")
              .status == 200);
  const auto ids = [&](const std::string& query) {
    const auto r = api.call("GET", "/api/v1/conversations?" + query, "sue");
    REQUIRE(r.status == 200);
    std::vector<store::Id> out;
    for (const auto& c : r.body["conversations"]) out.push_back(c["id"].get<store::Id>());
    return out;
  };
  using Ids = std::vector<store::Id>;
  CHECK(ids("priority=2") == Ids{second});
  CHECK(ids("priority=4") == Ids{first});
  CHECK(ids("q=0111") == Ids{first});              // part of the customer's number
  CHECK(ids("q=%25") == Ids{});                    // LIKE's wildcard is a plain character
  CHECK(ids("tier=C&priority=2") == Ids{second});  // unknown customers are tier C
  CHECK(ids("tier=S") == Ids{});
  CHECK(ids("team=billing") == Ids{});
  CHECK(api.call("GET", "/api/v1/conversations?tier=X", "sue").body["field"] == "tier");
  CHECK(api.call("GET", "/api/v1/conversations?priority=5", "sue").body["field"] == "priority");
  const auto too_long = api.call("GET", "/api/v1/conversations?q=" + std::string(201, 'x'), "sue");
  CHECK(too_long.status == 400);
  CHECK(too_long.body["error"] == "too_long");
}

TEST_CASE("the conversation list's row view adds the customer's name and the latest message",
          "[api]") {
  Api api;
  const auto writes = [&](const store::InboundRecord& rec) {
    return committed<store::IngestResult>(
        [&](store::Completion<store::IngestResult> done) { api.store->ingest_message(rec, done); });
  };
  const auto nameless = api.inbound("sms", "+14155550133");
  store::InboundRecord rec;
  rec.channel_instance = rec.channel_kind = "sms";
  rec.from_kind = "phone";
  rec.from_address = "+14155550144";
  rec.from_name = "Ana Lima";
  rec.to_address = "+18005550000";
  rec.thread_key = "sms:+14155550144";
  rec.received_at = rec.sent_at = 1763880000000;
  rec.provider_message_id = "named-1";
  rec.body_text = "first message";
  const auto first = writes(rec);
  api.dispatcher->on_inbound("sms", first, true);
  // The latest message is the one shown, cut at 140 characters (not bytes: 3 each here).
  std::string latest;
  for (int i = 0; i < 150; ++i) latest += "好";
  rec.provider_message_id = "named-2";
  rec.body_text = latest;
  REQUIRE(writes(rec).conversation_id == first.conversation_id);
  api.settle(nameless);

  const auto rows = api.call("GET", "/api/v1/conversations?view=row&limit=5000", "sue");
  REQUIRE(rows.status == 200);
  REQUIRE(rows.body["conversations"].size() == 2);
  const auto& quiet = rows.body["conversations"][0];
  CHECK(quiet["id"] == nameless);
  // The same name as the customer's record (a customer who gave none is named by their address).
  CHECK(quiet["customer_display_name"] ==
        api.store->get_customer(quiet["customer_id"])->display_name);
  CHECK(quiet["last_message_preview"] == "help please");
  const auto& named = rows.body["conversations"][1];
  CHECK(named["customer_display_name"] == "Ana Lima");
  CHECK(named["last_message_preview"] == latest.substr(0, 140 * 3));
  // The row is the list's conversation plus those two fields: the deadlines are there.
  const auto plain = api.call("GET", "/api/v1/conversations", "sue");
  json without = named;
  without.erase("customer_display_name");
  without.erase("last_message_preview");
  CHECK(without == plain.body["conversations"][1]);
  CHECK(named.contains("first_response_due"));
  CHECK(named.contains("resolution_due"));

  // The filters apply as in the plain list; an agent still sees only their own work.
  const auto by_text = api.call("GET", "/api/v1/conversations?view=row&q=Ana", "sue");
  REQUIRE(by_text.body["conversations"].size() == 1);
  CHECK(by_text.body["conversations"][0]["id"] == first.conversation_id);
  const auto page = api.call("GET",
                             "/api/v1/conversations?view=row&after_id=" + std::to_string(nameless) +
                                 "&status=" + named["status"].get<std::string>(),
                             "sue");
  REQUIRE(page.body["conversations"].size() == 1);
  CHECK(page.body["conversations"][0]["id"] == first.conversation_id);
  const auto alice = api.call("GET", "/api/v1/conversations?view=row", "alice");
  const auto alice_plain = api.call("GET", "/api/v1/conversations", "alice");
  CHECK(alice.body["conversations"].size() == alice_plain.body["conversations"].size());
  for (const auto& c : alice.body["conversations"]) CHECK(c["assigned_agent"] == "alice");

  CHECK(api.call("GET", "/api/v1/conversations?view=rows", "sue").body["field"] == "view");
  CHECK(api.call("GET", "/api/v1/conversations?view=row&limit=5001", "sue").body["field"] ==
        "limit");
  CHECK(api.call("GET", "/api/v1/conversations?limit=501", "sue").body["field"] == "limit");
}
