// POST /api/v1/conversations/{id}/complaint files a complaint on the ladder (the only complaint
// mechanism): level 1 at once to the customer's account manager, the conversation marked with
// its first complaint's time, no routing-engine escalation levels; the same body as
// POST /api/v1/complaints without conversation_id, roles and input checks.
#include "api_fixture.hpp"

#include "service/complaint_api.hpp"
#include "service/complaint_service.hpp"

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;
using omnigate::testing::eventually;

namespace {

constexpr store::UnixMs kHour = 3600 * 1000;

// The API fixture with the complaint service and its routes, as the gateway wires them.
struct ComplaintsApi : omnigate::testing::Api {
  service::ComplaintService complaints{*store, *executor, *dispatcher, nullptr,
                                       service::ladder_windows(config::ComplaintsConfig{})};
  service::ComplaintApi complaint_api{*store, complaints};

  ComplaintsApi() {
    complaints.start();
    complaint_api.register_routes(router);
  }
  ~ComplaintsApi() { complaints.stop(); }

  // The kinds of the conversation's transcript events that start with `prefix`, in order.
  std::vector<std::string> event_kinds(store::Id id, const std::string& prefix) {
    store->flush();
    std::vector<std::string> out;
    for (const auto& e : store->transcript(id))
      if (e.event && e.event->kind.rfind(prefix, 0) == 0) out.push_back(e.event->kind);
    return out;
  }
};

// An SMS conversation that alice holds; alice is also its customer's account manager.
store::Id alices_conversation(ComplaintsApi& api, const std::string& from) {
  const auto id = api.inbound("sms", from);
  REQUIRE(eventually([&] { return api.assigned(id) == "alice"; }));
  const auto customer = api.store->get_conversation(id)->customer_id;
  committed<store::Nothing>([&](auto done) {
    api.store->set_customer_contacts(customer, {{"account_manager", "alice", ""}}, "user:sue",
                                     done);
  });
  return id;
}

}  // namespace

TEST_CASE("a complaint on a conversation starts the ladder at its account manager", "[service]") {
  ComplaintsApi api;
  const auto id = alices_conversation(api, "+14155550310");
  CHECK_FALSE(api.store->get_conversation(id)->complaint_at);

  const auto r = api.call("POST", api.path(id, "/complaint"), "alice",
                          R"({"matter":"charged twice","contact":"+14155550310"})");
  REQUIRE(r.status == 201);
  const auto& complaint = r.body["complaint"];
  CHECK(complaint["conversation_id"] == id);
  CHECK(complaint["matter"] == "charged twice");
  CHECK(complaint["contact"] == "+14155550310");
  CHECK(complaint["channel"] == "sms");
  CHECK(complaint["filed_by"] == "user:alice");
  CHECK(complaint["severity"] == "normal");
  CHECK(complaint["level"] == 1);
  CHECK(complaint["levels"][0]["role"] == "account_manager");
  CHECK(complaint["levels"][0]["notified"] == "agent:alice");
  const auto filed_at = complaint["filed_at"].get<store::UnixMs>();
  CHECK(api.store->get_conversation(id)->complaint_at == filed_at);
  CHECK(api.event_kinds(id, "complaint.") ==
        std::vector<std::string>{"complaint.filed", "complaint.level_started"});
  CHECK(api.call("GET", "/api/v1/complaints/" + std::to_string(complaint["id"].get<store::Id>()),
                 "sue")
            .body["complaint"]["level"] == 1);

  // A second complaint is a ladder of its own; the conversation keeps the first one's time.
  const auto again = api.call("POST", api.path(id, "/complaint"), "sue",
                              R"({"matter":"still charged twice","severity":"major"})");
  REQUIRE(again.status == 201);
  CHECK(again.body["complaint"]["severity"] == "major");
  CHECK(again.body["complaint"]["id"] != complaint["id"]);
  CHECK(api.store->get_conversation(id)->complaint_at == filed_at);

  // Routing raises no escalation levels of its own for it, also after a rebuild from the store.
  api.dispatcher->reload_policy("");
  api.time_passed = 25 * kHour;
  api.settle(id);
  api.time_passed = 25 * kHour + 2000;  // the next tick has looked at every timer again
  api.settle(id);
  CHECK(api.event_kinds(id, "sla.complaint").empty());
}

TEST_CASE("the conversation's agent, supervisors and admins file complaints, QA and others not",
          "[service]") {
  ComplaintsApi api;
  const auto id = alices_conversation(api, "+14155550311");
  const std::string complaint = R"({"matter":"rude answer"})";
  for (const std::string who : {"quinn", "bob"})
    CHECK(api.call("POST", api.path(id, "/complaint"), who, complaint).status == 403);
  CHECK_FALSE(api.store->get_conversation(id)->complaint_at);
  for (const std::string who : {"alice", "sue", "ada"})
    CHECK(api.call("POST", api.path(id, "/complaint"), who, complaint).status == 201);
}

TEST_CASE("bad complaint bodies are refused naming the field", "[service]") {
  ComplaintsApi api;
  const auto id = alices_conversation(api, "+14155550312");
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
  CHECK(complaint(json{{"matter", accented}}).status == 201);
  CHECK(complaint(json{{"matter", "x"}, {"contact", 5}}).body["field"] == "contact");
  CHECK(complaint(json{{"matter", "x"}, {"severity", "urgent"}}).body["field"] == "severity");
  // The conversation is the path's: naming one in the body is refused, not ignored.
  CHECK(complaint(json{{"matter", "x"}, {"conversation_id", id}}).body["field"] ==
        "conversation_id");
  CHECK(api.call("POST", api.path(999999, "/complaint"), "sue", R"({"matter":"x"})").status == 404);
  // POST /complaints takes the same body with the conversation named.
  const auto named = api.call("POST", "/api/v1/complaints", "sue",
                              json{{"conversation_id", id}, {"matter", "x"}}.dump());
  CHECK(named.status == 201);
  CHECK(api.call("POST", "/api/v1/complaints", "sue", R"({"matter":"x"})").body["field"] ==
        "conversation_id");
}

TEST_CASE("a resolved conversation takes a complaint, a closed one refuses it", "[service]") {
  ComplaintsApi api;
  const auto id = alices_conversation(api, "+14155550313");
  REQUIRE(api.call("POST", api.path(id, "/resolve"), "alice").status == 200);
  CHECK(api.call("POST", api.path(id, "/complaint"), "sue", R"({"matter":"late"})").status == 201);
  committed<store::Nothing>([&](auto done) {
    api.store->set_conversation_status(id, store::ConversationStatus::closed, "user:sue", done);
  });
  const auto closed =
      api.call("POST", api.path(id, "/complaint"), "sue", R"({"matter":"very late"})");
  CHECK(closed.status == 409);
  CHECK(closed.body["error"] == "conflict");
}
