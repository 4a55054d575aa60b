// The agents' workspace over /api/v1: internal notes, preferences, canned responses, merging two
// conversations of one customer, and the stream events of notes, replies and delivery states.
#include "api_fixture.hpp"

#include "api/auth_api.hpp"
#include "api/canned_responses_api.hpp"
#include "api/conversation_activity_relay.hpp"
#include "api/conversation_merge_api.hpp"
#include "api/notes_api.hpp"

#include <catch2/catch.hpp>

#include <limits>
#include <mutex>

using namespace omnigate;
using namespace omnigate::testing;

namespace {

// The fixture's Api with the workspace's routes beside the agent API's.
struct Workspace : Api {
  api::NotesApi notes{*store};
  api::CannedResponsesApi canned{*store};
  api::ConversationMergeApi merge{*store, *dispatcher};
  api::AuthApi auth{*store, config::AuthConfig{}};

  explicit Workspace(std::map<std::string, int> alice_capacity = {{"sms", 5}})
      : Api(store::Presence::online, std::move(alice_capacity)) {
    notes.register_routes(router);
    canned.register_routes(router);
    merge.register_routes(router);
    auth.register_routes(router);
  }

  // A customer message on its own thread: a new conversation of the customer at `from`.
  store::Id writes_on_thread(const std::string& from, const std::string& thread) {
    store::InboundRecord rec;
    rec.channel_instance = rec.channel_kind = "sms";
    rec.provider_message_id = "SM-" + thread;
    rec.from_kind = "phone";
    rec.from_address = from;
    rec.to_address = "+18005550000";
    rec.thread_key = thread;
    rec.body_text = "about " + thread;
    const auto r = committed<store::IngestResult>(
        [&](store::Completion<store::IngestResult> done) { store->ingest_message(rec, done); });
    dispatcher->on_inbound("sms", r, true);
    return r.conversation_id;
  }

  bool audited(const std::string& action) {
    store->flush();
    store::AuditFilter f;
    f.action = action;
    return !store->list_audit(f).empty();
  }
};

// What the relay publishes, as a subscriber would get it.
class RecordingPublisher : public dispatch::LivePublisher {
 public:
  void publish(const dispatch::LiveEvent& e) override {
    std::lock_guard lock(mu_);
    events_.push_back(e);
  }
  std::size_t subscriber_count() const override { return 1; }
  void resnapshot(const dispatch::LiveView&, const std::vector<store::Agent>&) override {}
  std::vector<dispatch::LiveEvent> events() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<dispatch::LiveEvent> events_;
};

}  // namespace

TEST_CASE("a note goes into the transcript, never to the customer, by who may reply", "[api]") {
  Workspace ws;
  const auto id = ws.inbound("sms", "+14155550100");
  REQUIRE(eventually([&] { return ws.assigned(id) == "alice"; }));

  const auto r = ws.call("POST", ws.path(id, "/notes"), "alice", R"({"body":"VIP, be kind"})");
  REQUIRE(r.status == 201);
  const auto note = r.body["note"];
  CHECK(note["conversation_id"] == id);
  CHECK(note["author"] == "alice");
  CHECK(note["body"] == "VIP, be kind");
  CHECK(note["created_at"].get<store::UnixMs>() > 0);
  const auto transcript = ws.call("GET", ws.path(id, "/transcript"), "sue").body["transcript"];
  const auto last = transcript.back();
  CHECK(last["type"] == "event");
  CHECK(last["event"]["kind"] == "note.added");
  CHECK(last["event"]["actor"] == "user:alice");
  CHECK(last["event"]["data"] == json{{"note_id", note["id"]}, {"body", "VIP, be kind"}});
  CHECK(ws.store->due_outbox(std::numeric_limits<store::UnixMs>::max(), 10).empty());
  CHECK(ws.audited("conversation.note"));

  CHECK(ws.call("POST", ws.path(id, "/notes"), "sue", R"({"body":"ok"})").status == 201);
  CHECK(ws.call("POST", ws.path(id, "/notes"), "bob", R"({"body":"x"})").status == 403);
  CHECK(ws.call("POST", ws.path(id, "/notes"), "quinn", R"({"body":"x"})").status == 403);
  CHECK(ws.call("POST", ws.path(id, "/notes"), "alice", R"({"body":""})").body["field"] == "body");
  const auto too_long = ws.call("POST", ws.path(id, "/notes"), "alice",
                                json{{"body", std::string(10001, 'x')}}.dump());
  CHECK(too_long.status == 400);
  CHECK(too_long.body["error"] == "too_long");
  CHECK(ws.call("POST", ws.path(999999, "/notes"), "sue", R"({"body":"x"})").status == 404);
}

TEST_CASE("preferences: a known language and a zone of the tz database, shown by /me", "[api]") {
  Workspace ws;
  const auto set = ws.call("PUT", "/api/v1/auth/me/preferences", "alice",
                           R"({"language":"zh-CN","time_zone":"Asia/Shanghai"})");
  REQUIRE(set.status == 200);
  CHECK(set.body == json{{"language", "zh-CN"}, {"time_zone", "Asia/Shanghai"}});
  for (const char* path : {"/api/v1/me", "/api/v1/auth/me"}) {
    const auto me = ws.call("GET", path, "alice").body;
    CHECK(me["language"] == "zh-CN");
    CHECK(me["time_zone"] == "Asia/Shanghai");
  }
  CHECK(ws.call("GET", "/api/v1/me", "sue").body["language"].is_null());  // per user
  CHECK(ws.audited("user.preferences"));

  const auto bad_zone =
      ws.call("PUT", "/api/v1/auth/me/preferences", "alice", R"({"time_zone":"Mars/Olympus"})");
  CHECK(bad_zone.status == 400);
  CHECK(bad_zone.body["error"] == "invalid_field");
  CHECK(bad_zone.body["field"] == "time_zone");
  const auto bad_language =
      ws.call("PUT", "/api/v1/auth/me/preferences", "alice", R"({"language":"fr"})");
  CHECK(bad_language.status == 400);
  CHECK(bad_language.body["field"] == "language");

  // null clears; a field left out stays.
  const auto cleared =
      ws.call("PUT", "/api/v1/auth/me/preferences", "alice", R"({"time_zone":null})");
  CHECK(cleared.body == json{{"language", "zh-CN"}, {"time_zone", nullptr}});
  CHECK(ws.call("PUT", "/api/v1/auth/me/preferences", "quinn", R"({"language":"en"})").status ==
        200);
}

TEST_CASE("canned responses: kept by supervisors, read by everyone who works", "[api]") {
  Workspace ws;
  const std::string ship =
      R"({"shortcut":"ship","title":"Shipped","body":"Hi {{customer.name}}, it ships today",)"
      R"("language":"en"})";
  const auto made = ws.call("POST", "/api/v1/canned-responses", "sue", ship);
  REQUIRE(made.status == 201);
  const auto id = made.body["canned_response"]["id"].get<store::Id>();
  CHECK(made.body["canned_response"]["team"].is_null());
  CHECK(ws.call("POST", "/api/v1/canned-responses", "sue", ship).status == 409);
  CHECK(ws.call("POST", "/api/v1/canned-responses", "alice", ship).status == 403);
  CHECK(ws.call("POST", "/api/v1/canned-responses", "ada",
                R"({"shortcut":"ship","title":"发货","body":"今天发货","language":"zh-CN"})")
            .status == 201);
  CHECK(ws.call("POST", "/api/v1/canned-responses", "sue",
                R"({"shortcut":"vip","title":"VIP","body":"For billing","team":"billing"})")
            .status == 201);
  CHECK(ws.audited("canned_response.create"));

  // alice's team is "support": billing's response is not offered to her.
  auto list = ws.call("GET", "/api/v1/canned-responses", "alice").body["canned_responses"];
  CHECK(list.size() == 2);
  CHECK(ws.call("GET", "/api/v1/canned-responses", "sue").body["canned_responses"].size() == 3);
  list = ws.call("GET", "/api/v1/canned-responses?q=SHIPS&language=en", "quinn")
             .body["canned_responses"];
  REQUIRE(list.size() == 1);
  CHECK(list[0]["id"] == id);
  CHECK(ws.call("GET", "/api/v1/canned-responses?language=de", "sue").status == 400);

  const auto path = "/api/v1/canned-responses/" + std::to_string(id);
  const auto changed =
      ws.call("PUT", path, "sue", R"({"shortcut":"ship","title":"Shipped","body":"It ships now"})");
  CHECK(changed.status == 200);
  CHECK(changed.body["canned_response"]["body"] == "It ships now");
  CHECK(changed.body["canned_response"]["language"].is_null());
  CHECK(ws.call("PUT", path, "alice", ship).status == 403);
  CHECK(ws.call("PUT", "/api/v1/canned-responses/999", "sue", ship).status == 404);
  CHECK(ws.call("DELETE", path, "alice").status == 403);
  CHECK(ws.call("DELETE", path, "sue").status == 204);
  CHECK(ws.call("DELETE", path, "sue").status == 404);
  CHECK(ws.audited("canned_response.delete"));
}

TEST_CASE("merging a customer's conversation frees its agent's capacity in routing", "[api]") {
  Workspace ws({{"sms", 2}});  // alice takes two sms conversations at most
  const auto first = ws.writes_on_thread("+14155550100", "order-1");
  const auto second = ws.writes_on_thread("+14155550100", "order-2");
  REQUIRE(eventually([&] { return ws.assigned(first) == "alice"; }));
  REQUIRE(eventually([&] { return ws.assigned(second) == "alice"; }));
  const auto waiting = ws.writes_on_thread("+14155550199", "other customer");
  ws.settle(waiting);
  REQUIRE_FALSE(ws.assigned(waiting));  // alice is full

  const auto other_customer =
      ws.call("POST", ws.path(first, "/merge"), "sue", json{{"from", waiting}}.dump());
  CHECK(other_customer.status == 409);
  CHECK(ws.call("POST", ws.path(first, "/merge"), "bob", json{{"from", second}}.dump()).status ==
        403);
  CHECK(ws.call("POST", ws.path(first, "/merge"), "sue", json{{"from", first}}.dump()).status ==
        400);

  const auto merged =
      ws.call("POST", ws.path(first, "/merge"), "alice", json{{"from", second}}.dump());
  REQUIRE(merged.status == 200);
  CHECK(merged.body["conversation"]["id"] == first);
  CHECK(ws.store->get_conversation(second)->status == store::ConversationStatus::resolved);
  // The capacity the absorbed conversation held goes to the one waiting.
  CHECK(eventually([&] { return ws.assigned(waiting) == "alice"; }));
  CHECK(ws.audited("conversation.merge"));
  CHECK(ws.call("POST", ws.path(first, "/merge"), "sue", json{{"from", second}}.dump()).status ==
        409);
}

TEST_CASE("notes, replies and delivery states reach the event stream with their fields", "[api]") {
  Workspace ws;
  const auto id = ws.inbound("sms", "+14155550100");
  REQUIRE(eventually([&] { return ws.assigned(id) == "alice"; }));
  auto live = std::make_shared<RecordingPublisher>();
  api::ConversationActivityRelay relay(*ws.store, *ws.executor, live);
  relay.start();

  const auto note = ws.call("POST", ws.path(id, "/notes"), "alice", R"({"body":"n"})");
  const auto reply = ws.call("POST", ws.path(id, "/reply"), "alice", R"({"text":"hello"})");
  REQUIRE(reply.status == 202);
  const auto outbox_id = reply.body["outbox_id"].get<store::Id>();
  committed<store::Nothing>([&](store::Completion<store::Nothing> done) {
    ws.store->outbox_mark_failed(outbox_id, "21610", "unsubscribed", done);
  });
  REQUIRE(eventually([&] { return live->events().size() >= 3; }));
  relay.stop();

  const auto events = live->events();
  CHECK(events[0].type == "note.added");
  CHECK(events[0].note_id == note.body["note"]["id"].get<store::Id>());
  CHECK(events[0].author == "alice");
  CHECK(events[0].agent == "alice");  // so alice's own stream passes it
  CHECK(events[0].conversation_id == id);
  CHECK(events[1].type == "message.sent");
  CHECK(events[1].message_id == reply.body["message_id"].get<store::Id>());
  CHECK(events[1].author == "alice");
  CHECK(events[2].type == "message.status");
  CHECK(events[2].message_id == reply.body["message_id"].get<store::Id>());
  CHECK(events[2].delivery_state == "failed");
  CHECK(events[2].error_code == "21610");
}
