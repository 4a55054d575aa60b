// Offers under a reserving routing policy (accept / decline / expiry), manual pick, and the
// pending-offers list, through the real API, store and routing engine.
#include "api_fixture.hpp"

#include "core/clock.hpp"

#include <thread>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::Api;
using omnigate::testing::eventually;

namespace {

// Offers are held for a minute: long enough that none lapses during a test unless it waits.
const std::string kReserving = R"({"reservation_timeout_s": 60})";
const std::map<std::string, int> kAliceCapacity = {{"sms", 5}, {"webchat", 3}, {"email", 8}};

// The offers `who` sees (an agent: their own; a supervisor: everyone's).
json offers(Api& api, const std::string& who) {
  const auto r = api.call("GET", "/api/v1/offers", who);
  REQUIRE(r.status == 200);
  return r.body["offers"];
}

// Waits until the conversation is offered to someone; returns that offer.
json offer_of(Api& api, store::Id id) {
  json found;
  REQUIRE(eventually([&] {
    for (const auto& o : offers(api, "sue"))
      if (o["conversation_id"] == id) found = o;
    return !found.is_null();
  }));
  return found;
}

// Event kinds of the conversation's transcript, in order.
std::vector<std::string> event_kinds(Api& api, store::Id id) {
  api.store->flush();
  std::vector<std::string> kinds;
  for (const auto& e : api.store->transcript(id))
    if (e.event) kinds.push_back(e.event->kind);
  return kinds;
}

std::ptrdiff_t position(const std::vector<std::string>& kinds, const std::string& kind) {
  return std::find(kinds.begin(), kinds.end(), kind) - kinds.begin();
}

// A second SMS agent, online, that the running dispatcher learns about through its presence.
void add_sms_agent(Api& api, const std::string& id) {
  api.upsert(testing::agent(id, {{"sms", 3}}, {{"sms", 5}}, store::Presence::online));
  api.user(id, store::Role::agent, id);
  REQUIRE(api.call("PUT", "/api/v1/agents/me/presence", id, R"({"presence":"online"})").status ==
          200);
}

}  // namespace

TEST_CASE("an agent accepts an offer made to them and the conversation becomes theirs", "[api]") {
  Api api(store::Presence::online, kAliceCapacity, kReserving);
  const auto id = api.inbound("sms", "+14155550200");
  const auto offer = offer_of(api, id);
  CHECK(offer["agent_id"] == "alice");
  CHECK(offer["expires_at"].get<std::int64_t>() - offer["offered_at"].get<std::int64_t>() == 60000);
  CHECK(offer["channel_kind"] == "sms");
  CHECK_FALSE(offer["reason"].get<std::string>().empty());
  CHECK(offers(api, "alice").size() == 1);  // the agent sees their own offer
  CHECK_FALSE(api.assigned(id));            // an offer is not an assignment yet

  const auto r = api.call("POST", api.path(id, "/accept"), "alice");
  CHECK(r.status == 200);
  CHECK(r.body == json{{"conversation_id", id}, {"status", "assigned"}, {"agent_id", "alice"}});
  CHECK(api.assigned(id) == "alice");
  CHECK(api.store->get_conversation(id)->status == store::ConversationStatus::assigned);
  CHECK(offers(api, "alice").empty());
  const auto kinds = event_kinds(api, id);
  CHECK(position(kinds, "conversation.offered") < position(kinds, "conversation.accepted"));
  CHECK(position(kinds, "conversation.accepted") < position(kinds, "conversation.assigned"));
  CHECK(position(kinds, "conversation.assigned") < static_cast<std::ptrdiff_t>(kinds.size()));

  const auto twice = api.call("POST", api.path(id, "/accept"), "alice");
  CHECK(twice.status == 409);
  CHECK(twice.body["error"] == "conflict");
}

TEST_CASE("only the agent an offer was made to may answer it", "[api]") {
  Api api(store::Presence::online, kAliceCapacity, kReserving);
  const auto id = api.inbound("sms", "+14155550201");
  REQUIRE(offer_of(api, id)["agent_id"] == "alice");
  const auto bobs = api.call("POST", api.path(id, "/accept"), "bob");
  CHECK(bobs.status == 409);
  CHECK(bobs.body["message"].get<std::string>().find("no pending offer to bob") !=
        std::string::npos);
  CHECK(api.call("POST", api.path(id, "/decline"), "bob").status == 409);
  // Roles: QA and admin cannot take conversations; a supervisor without an agent profile has no
  // offers to answer; nobody sees another agent's offers unless they supervise.
  CHECK(api.call("POST", api.path(id, "/accept"), "quinn").status == 403);
  CHECK(api.call("POST", api.path(id, "/pick"), "ada").status == 403);
  const auto sue = api.call("POST", api.path(id, "/accept"), "sue");
  CHECK(sue.status == 403);
  CHECK(sue.body["message"] == "you have no agent profile");
  CHECK(offers(api, "bob").empty());
  CHECK(api.call("GET", "/api/v1/offers?agent_id=alice", "bob").status == 403);
  CHECK(api.call("GET", "/api/v1/offers", "quinn").status == 403);
  CHECK(api.call("GET", "/api/v1/offers?agent_id=alice", "ada").body["offers"].size() == 1);
  CHECK(api.call("POST", api.path(999999, "/accept"), "alice").status == 404);
  CHECK(api.call("POST", api.path(id, "/accept"), "alice").status == 200);  // still hers
}

TEST_CASE("a declined offer goes to the next agent and never back to the one who declined",
          "[api]") {
  Api api(store::Presence::online, kAliceCapacity, kReserving);
  add_sms_agent(api, "carl");
  const auto id = api.inbound("sms", "+14155550202");
  const std::string first = offer_of(api, id)["agent_id"];
  const std::string next = first == "alice" ? "carl" : "alice";

  const auto r = api.call("POST", api.path(id, "/decline"), first);
  CHECK(r.status == 200);
  CHECK(r.body["status"] == "declined");
  REQUIRE(eventually([&] { return offers(api, next).size() == 1; }));
  CHECK(offers(api, first).empty());
  CHECK(api.call("POST", api.path(id, "/accept"), first).status == 409);
  CHECK(api.call("POST", api.path(id, "/accept"), next).status == 200);
  CHECK(api.assigned(id) == next);
  const auto kinds = event_kinds(api, id);
  CHECK(position(kinds, "conversation.declined") < position(kinds, "conversation.assigned"));
}

TEST_CASE("accepting an offer after it expired is a conflict", "[api]") {
  // The shortest reservation the policy allows; the test waits until it has passed.
  Api api(store::Presence::online, kAliceCapacity, R"({"reservation_timeout_s": 1})");
  const auto id = api.inbound("sms", "+14155550203");
  const auto offer = offer_of(api, id);
  REQUIRE(offer["agent_id"] == "alice");
  const auto expires_at = offer["expires_at"].get<std::int64_t>();
  while (now_ms() <= expires_at) std::this_thread::sleep_for(std::chrono::milliseconds(50));

  const auto r = api.call("POST", api.path(id, "/accept"), "alice");
  CHECK(r.status == 409);
  CHECK(r.body["error"] == "conflict");
  CHECK_FALSE(api.assigned(id));
  CHECK(offers(api, "alice").empty());
}

TEST_CASE("an agent picks a queued conversation when the policy allows manual pick", "[api]") {
  // alice is the only SMS agent: once she declines, the conversation waits in the queue.
  Api api(store::Presence::online, kAliceCapacity, kReserving);
  const auto id = api.inbound("sms", "+14155550204");
  REQUIRE(offer_of(api, id)["agent_id"] == "alice");
  REQUIRE(api.call("POST", api.path(id, "/decline"), "alice").status == 200);

  const auto unfit = api.call("POST", api.path(id, "/pick"), "bob");  // sms capacity 0
  CHECK(unfit.status == 409);
  CHECK(unfit.body["message"] == "bob takes no sms conversations (sms capacity 0)");
  const auto r = api.call("POST", api.path(id, "/pick"), "alice");
  CHECK(r.status == 200);
  CHECK(r.body == json{{"conversation_id", id}, {"status", "assigned"}, {"agent_id", "alice"}});
  CHECK(api.assigned(id) == "alice");
  const auto kinds = event_kinds(api, id);
  CHECK(position(kinds, "conversation.picked") < position(kinds, "conversation.assigned"));
  CHECK(api.call("POST", api.path(id, "/pick"), "alice").status == 409);  // not queued now
}

TEST_CASE("manual pick is refused with 403 when the policy disables it", "[api]") {
  Api api(store::Presence::offline, kAliceCapacity, R"({"manual_pick": false})");
  const auto id = api.inbound("sms", "+14155550205");  // alice is offline: it stays queued
  api.settle(id);
  const auto r = api.call("POST", api.path(id, "/pick"), "alice");
  CHECK(r.status == 403);
  CHECK(r.body["message"].get<std::string>().find("manual_pick") != std::string::npos);
  CHECK_FALSE(api.assigned(id));
}
