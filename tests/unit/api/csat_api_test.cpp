// POST /api/v1/conversations/{id}/csat through the real Router with a real SQLite store: who may
// enter a rating taken by phone, on which conversations, what is refused, and its audit row.
#include "api/csat_api.hpp"

#include "store_fixture.hpp"

#include <nlohmann/json.hpp>

#include <limits>

using namespace omnigate;
using nlohmann::json;
using omnigate::testing::committed;

namespace {

struct Csat {
  omnigate::testing::TempStore store;
  std::unique_ptr<api::CsatApi> csat_api;
  http::Router router;
  store::Id conversation = 0;

  // ann (agent a1) handled the conversation; bob is another agent, quinn reviews, sue supervises.
  Csat() {
    testing::add_user(*store, "ann", store::Role::agent, "a1");
    testing::add_user(*store, "bob", store::Role::agent, "a3");
    testing::add_user(*store, "quinn", store::Role::qa, "");
    testing::add_user(*store, "sue", store::Role::supervisor, "");
    conversation =
        testing::customer_writes(*store, "sms", "+14155550100", "where is my refund", "SM1")
            .conversation_id;
    committed<store::Nothing>(
        [&](auto done) { store->assign_conversation(conversation, "a1", "{}", done); });
    csat_api = std::make_unique<api::CsatApi>(*store);
    csat_api->register_routes(router);
  }

  void resolve() {
    committed<store::Nothing>([&](auto done) {
      store->set_conversation_status(conversation, store::ConversationStatus::resolved, "user:ann",
                                     done);
    });
  }

  std::pair<int, json> post(store::Id id, const std::string& who, const std::string& body) {
    http::Request req;
    req.method = "POST";
    req.path = req.target = "/api/v1/conversations/" + std::to_string(id) + "/csat";
    req.body = body;
    auto m = router.match("POST", req.path);
    REQUIRE(m.handler != nullptr);
    req.params = m.params;
    req.headers.emplace_back("Authorization", "Bearer " + who + "-token");
    req.remote_addr = "127.0.0.1";
    std::promise<http::Response> p;
    auto f = p.get_future();
    (*m.handler)(req, [&p](http::Response r) { p.set_value(std::move(r)); });
    const auto r = f.get();
    return {r.status, json::parse(r.body)};
  }
};

}  // namespace

TEST_CASE("an agent enters the rating of their resolved conversation; a newer one replaces it") {
  Csat t;
  CHECK(t.post(t.conversation, "ann", R"({"rating": 5})").first == 409);  // not resolved yet
  t.resolve();
  const auto [status, body] = t.post(t.conversation, "ann", R"({"rating": 5})");
  REQUIRE(status == 201);
  CHECK(body["rating"] == 5);
  CHECK(body["source"] == "agent");
  CHECK(body["actor"] == "user:ann");
  CHECK(t.post(t.conversation, "sue", R"({"rating": 3})").first == 201);
  const auto ratings = t.store->csat_ratings(0, std::numeric_limits<store::UnixMs>::max());
  REQUIRE(ratings.size() == 1);
  CHECK(ratings[0].rating == 3);
  CHECK(ratings[0].actor == "user:sue");
  CHECK(t.store->events_of_kind(t.conversation, "csat.received").size() == 2);
  CHECK(testing::eventually([&] {
    int rows = 0;
    for (const auto& e : t.store->list_audit(store::AuditFilter{}))
      if (e.record.action == "conversation.csat" &&
          e.record.object == "conversation:" + std::to_string(t.conversation))
        ++rows;
    return rows == 2;
  }));
}

TEST_CASE("a rating is refused to others' agents, QA, bad ratings and unknown conversations") {
  Csat t;
  t.resolve();
  CHECK(t.post(t.conversation, "bob", R"({"rating": 4})").first == 403);
  CHECK(t.post(t.conversation, "quinn", R"({"rating": 4})").first == 403);
  for (const char* bad : {R"({"rating": 0})", R"({"rating": 6})", R"({"rating": "5"})",
                          R"({"rating": 4.5})", R"({})", R"([5])", "not json"}) {
    INFO(bad);
    const auto [status, body] = t.post(t.conversation, "ann", bad);
    CHECK(status == 400);
  }
  CHECK(t.post(987654, "sue", R"({"rating": 4})").first == 404);
  CHECK(t.store->csat_ratings(0, std::numeric_limits<store::UnixMs>::max()).empty());
}
